using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Runnel.Client.Network;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Client.Consumer;

/// <summary>
/// The fetch loop: resolves logical positions (ListOffsets, committed offsets), then long-polls each leader for
/// its fetchable partitions and queues the decoded records. Writing into the bounded channel is what limits the
/// prefetch: when the application is slow the loop waits there.
/// </summary>
public sealed partial class KafkaConsumer<TKey, TValue>
{
    private async Task FetchLoopAsync()
    {
        CancellationToken stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await ResolvePositionsAsync(stopping).ConfigureAwait(false);
                Dictionary<int, List<(PartitionState State, long Offset, int Epoch)>> byLeader = FetchablePartitions();
                if (byLeader.Count == 0)
                {
                    await _wakeFetcher.WaitAsync(TimeSpan.FromMilliseconds(100), stopping).ConfigureAwait(false);
                    continue;
                }

                var fetches = new List<Task>(byLeader.Count);
                foreach (var (leader, partitions) in byLeader)
                {
                    fetches.Add(FetchFromAsync(leader, partitions, stopping));
                }

                await Task.WhenAll(fetches).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (KafkaException e) when (e.IsRetriable)
            {
                LogFetchRetry(_logger, e.Message);
                _cluster.RequestRefresh();
                await Task.Delay(_cluster.Backoff(1), stopping).ConfigureAwait(false);
            }
            catch (KafkaException e)
            {
                await _fetched.Writer.WriteAsync(new FetchedChunk(default, 0, [], e), stopping).ConfigureAwait(false);
                await Task.Delay(_cluster.Backoff(4), stopping).ConfigureAwait(false);
            }
        }
    }

    private Dictionary<int, List<(PartitionState State, long Offset, int Epoch)>> FetchablePartitions()
    {
        var byLeader = new Dictionary<int, List<(PartitionState, long, int)>>();
        ClusterMetadata metadata = _cluster.Metadata;
        long now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            foreach (PartitionState state in _assignment.Values)
            {
                if (state.Paused || state.Revoking || state.FetchPosition < 0 || state.NotBefore > now)
                {
                    continue;
                }

                TopicInfo? topic = metadata.Topic(state.TopicPartition.Topic);
                int leader = topic is not null && state.TopicPartition.Partition < topic.Partitions.Length ? topic.Partitions[state.TopicPartition.Partition].Leader : -1;
                if (leader < 0)
                {
                    _cluster.RequestRefresh();
                    continue;
                }

                if (!byLeader.TryGetValue(leader, out var list))
                {
                    byLeader[leader] = list = [];
                }

                list.Add((state, state.FetchPosition, state.Epoch));
            }
        }

        return byLeader;
    }

    private async Task FetchFromAsync(int leader, List<(PartitionState State, long Offset, int Epoch)> partitions, CancellationToken cancellationToken)
    {
        var request = new FetchRequest
        {
            ReplicaId = -1,
            MaxWaitMs = (int)_options.FetchMaxWait.TotalMilliseconds,
            MinBytes = 1,
            MaxBytes = _options.FetchMaxBytes,
            IsolationLevel = 0,
            SessionId = 0,
            SessionEpoch = -1,
        };
        foreach (var (state, offset, _) in partitions)
        {
            FetchRequest.FetchTopic? topic = request.Topics.Find(t => t.Topic == state.TopicPartition.Topic);
            if (topic is null)
            {
                topic = new FetchRequest.FetchTopic { Topic = state.TopicPartition.Topic };
                request.Topics.Add(topic);
            }

            topic.Partitions.Add(new FetchRequest.FetchTopic.FetchPartition
            {
                Partition = state.TopicPartition.Partition,
                FetchOffset = offset,
                CurrentLeaderEpoch = -1,
                LastFetchedEpoch = -1,
                LogStartOffset = -1,
                PartitionMaxBytes = _options.MaxPartitionFetchBytes,
            });
        }

        BrokerConnection connection = await _cluster.GetConnectionAsync(leader, cancellationToken).ConfigureAwait(false);
        using ResponseLease<FetchResponse> lease = await connection.SendLeasedAsync<FetchResponse>(ApiKey.Fetch, request, cancellationToken).ConfigureAwait(false);
        KafkaErrors.ThrowIfError(lease.Response.ErrorCode, $"Fetch from broker {leader}");
        foreach (FetchResponse.FetchableTopicResponse topic in lease.Response.Responses)
        {
            foreach (FetchResponse.FetchableTopicResponse.PartitionData data in topic.Partitions)
            {
                var tp = new TopicPartition(topic.Topic, data.PartitionIndex);
                int index = partitions.FindIndex(p => p.State.TopicPartition == tp);
                if (index < 0)
                {
                    continue;
                }

                var (state, offset, epoch) = partitions[index];
                var error = (ErrorCode)data.ErrorCode;
                if (error != ErrorCode.None)
                {
                    HandleFetchError(state, epoch, error);
                    continue;
                }

                var records = new List<ConsumeResult<TKey, TValue>>();
                long next = data.Records is { Length: > 0 } blob ? _decoder.Decode(tp.Topic, tp.Partition, blob, offset, records) : offset;
                bool current;
                lock (_gate)
                {
                    current = state.Epoch == epoch && _assignment.TryGetValue(tp, out PartitionState? live) && ReferenceEquals(live, state);
                    if (current)
                    {
                        state.FetchPosition = next;
                        state.HighWatermark = data.HighWatermark;
                    }
                }

                if (current && records.Count > 0)
                {
                    await _fetched.Writer.WriteAsync(new FetchedChunk(tp, epoch, records), cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private void HandleFetchError(PartitionState state, int epoch, ErrorCode error)
    {
        lock (_gate)
        {
            if (state.Epoch != epoch)
            {
                return;
            }

            if (error == ErrorCode.OffsetOutOfRange)
            {
                if (_options.AutoOffsetReset == AutoOffsetReset.Error)
                {
                    _fetched.Writer.TryWrite(new FetchedChunk(state.TopicPartition, epoch, [],
                        new KafkaException(error, $"Offset {state.FetchPosition} is out of range for {state.TopicPartition} and AutoOffsetReset is Error.")));
                    state.Paused = true;
                    return;
                }

                state.NewEpoch();
                state.FetchPosition = _options.AutoOffsetReset == AutoOffsetReset.Earliest ? Offsets.Beginning : Offsets.End;
                return;
            }

            state.NotBefore = Stopwatch.GetTimestamp() + (long)(_cluster.Backoff(1).TotalSeconds * Stopwatch.Frequency);
        }

        LogFetchRetry(_logger, $"{state.TopicPartition}: {error}");
        if (KafkaErrors.NeedsMetadataRefresh(error))
        {
            _cluster.RequestRefresh();
        }
    }

    /// <summary>Turns logical positions (beginning, end, stored, timestamp) into offsets.</summary>
    private async Task ResolvePositionsAsync(CancellationToken cancellationToken)
    {
        var queries = new List<(TopicPartition Partition, long Timestamp)>();
        var stored = new List<TopicPartition>();
        var epochs = new Dictionary<TopicPartition, int>();
        lock (_gate)
        {
            foreach (PartitionState state in _assignment.Values)
            {
                if (state.FetchPosition >= 0)
                {
                    continue;
                }

                epochs[state.TopicPartition] = state.Epoch;
                if (state.SeekTimestamp is long ts)
                {
                    queries.Add((state.TopicPartition, ts));
                }
                else if (state.FetchPosition == Offsets.Stored && _options.GroupId is not null)
                {
                    stored.Add(state.TopicPartition);
                }
                else
                {
                    queries.Add((state.TopicPartition, ResetTimestamp(state.FetchPosition)));
                }
            }
        }

        if (stored.Count > 0)
        {
            Dictionary<TopicPartition, long> committed = await FetchCommittedAsync(stored, cancellationToken).ConfigureAwait(false);
            foreach (TopicPartition partition in stored)
            {
                if (committed.TryGetValue(partition, out long offset) && offset >= 0)
                {
                    SetResolved(partition, epochs[partition], offset);
                }
                else
                {
                    queries.Add((partition, ResetTimestamp(Offsets.Stored)));
                }
            }
        }

        if (queries.Count == 0)
        {
            return;
        }

        Dictionary<TopicPartition, long> offsets = await OffsetLookup.ListAsync(_cluster, queries, cancellationToken).ConfigureAwait(false);
        foreach (var (partition, timestamp) in queries)
        {
            if (offsets.TryGetValue(partition, out long offset))
            {
                if (offset < 0)
                {
                    // No record at or after the timestamp: start at the end.
                    Dictionary<TopicPartition, long> end = await OffsetLookup.ListAsync(_cluster, [(partition, OffsetLookup.Latest)], cancellationToken).ConfigureAwait(false);
                    offset = end[partition];
                }

                SetResolved(partition, epochs[partition], offset);
            }
        }
    }

    private long ResetTimestamp(long logical) => logical switch
    {
        Offsets.Beginning => OffsetLookup.Earliest,
        Offsets.End => OffsetLookup.Latest,
        _ => _options.AutoOffsetReset == AutoOffsetReset.Earliest ? OffsetLookup.Earliest : OffsetLookup.Latest,
    };

    private void SetResolved(TopicPartition partition, int epoch, long offset)
    {
        lock (_gate)
        {
            if (_assignment.TryGetValue(partition, out PartitionState? state) && state.Epoch == epoch)
            {
                state.FetchPosition = offset;
                state.ConsumedPosition = offset;
                state.SeekTimestamp = null;
            }
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "Fetch will be retried: {Reason}")]
    private static partial void LogFetchRetry(ILogger logger, string reason);
}
