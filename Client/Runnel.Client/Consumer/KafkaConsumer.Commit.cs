using Runnel.Client.Consumer.Groups;
using Runnel.Client.Network;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Client.Consumer;

/// <summary>Offsets: commit (OffsetCommit), committed (OffsetFetch), and the group's view of this consumer.</summary>
public sealed partial class KafkaConsumer<TKey, TValue>
{
    /// <summary>Commits the position of every assigned partition (the offset after the last record consumed).</summary>
    public Task CommitAsync(CancellationToken cancellationToken = default) => CommitAsync(ConsumedPositions(), cancellationToken);

    /// <summary>Commits the given offsets (each the next offset to consume) for <see cref="ConsumerOptions.GroupId"/>.</summary>
    /// <exception cref="KafkaException">The group rebalanced meanwhile (RebalanceInProgress, IllegalGeneration, UnknownMemberId) or another error.</exception>
    public async Task CommitAsync(IEnumerable<TopicPartitionOffset> offsets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        var request = new OffsetCommitRequest
        {
            GroupId = Coordinator().GroupId,
            GenerationIdOrMemberEpoch = _group?.GenerationId ?? -1,
            MemberId = _group?.MemberId ?? string.Empty,
            RetentionTimeMs = -1,
        };
        OffsetCommitRequests.AddOffsets(request, offsets);

        if (request.Topics.Count == 0)
        {
            return;
        }

        await Coordinator().RunAsync("OffsetCommit", async (connection, ct) =>
        {
            OffsetCommitResponse response = await connection.SendAsync<OffsetCommitResponse>(ApiKey.OffsetCommit, request, ct).ConfigureAwait(false);
            foreach (OffsetCommitResponse.OffsetCommitResponseTopic topic in response.Topics)
            {
                foreach (OffsetCommitResponse.OffsetCommitResponseTopic.OffsetCommitResponsePartition p in topic.Partitions)
                {
                    KafkaErrors.ThrowIfError(p.ErrorCode, $"OffsetCommit of {topic.Name}[{p.PartitionIndex}] for group '{request.GroupId}'");
                }
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The group's committed offsets of <paramref name="partitions"/> (-1 where none).</summary>
    public async Task<IReadOnlyList<TopicPartitionOffset>> CommittedAsync(IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default)
    {
        List<TopicPartition> list = [.. partitions];
        Dictionary<TopicPartition, long> committed = await FetchCommittedAsync(list, cancellationToken).ConfigureAwait(false);
        return list.ConvertAll(p => new TopicPartitionOffset(p, committed.TryGetValue(p, out long o) ? o : -1));
    }

    /// <summary>The earliest offset and the high watermark of a partition (ListOffsets).</summary>
    public async Task<(long Low, long High)> QueryWatermarkOffsetsAsync(TopicPartition partition, CancellationToken cancellationToken = default)
    {
        Dictionary<TopicPartition, long> low = await OffsetLookup.ListAsync(_cluster, [(partition, OffsetLookup.Earliest)], cancellationToken).ConfigureAwait(false);
        Dictionary<TopicPartition, long> high = await OffsetLookup.ListAsync(_cluster, [(partition, OffsetLookup.Latest)], cancellationToken).ConfigureAwait(false);
        return (low[partition], high[partition]);
    }

    internal Task<Dictionary<TopicPartition, long>> FetchCommittedAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken) =>
        OffsetFetcher.FetchAsync(Coordinator(), partitions, cancellationToken);

    private List<TopicPartitionOffset> ConsumedPositions()
    {
        var positions = new List<TopicPartitionOffset>();
        lock (_gate)
        {
            foreach (PartitionState state in _assignment.Values)
            {
                if (state.ConsumedPosition >= 0)
                {
                    positions.Add(new TopicPartitionOffset(state.TopicPartition, state.ConsumedPosition));
                }
            }
        }

        return positions;
    }

    /// <summary>What the group membership asks of the consumer: positions to commit, partitions to drop and to add.</summary>
    private sealed class GroupCallbacks(KafkaConsumer<TKey, TValue> consumer) : IGroupCallbacks
    {
        public IReadOnlyCollection<TopicPartition> Owned()
        {
            lock (consumer._gate)
            {
                return [.. consumer._assignment.Keys];
            }
        }

        public async Task RevokeAsync(IReadOnlyList<TopicPartition> partitions, bool commit, CancellationToken cancellationToken)
        {
            if (partitions.Count == 0)
            {
                return;
            }

            // Stop handing out records first: the consume loop runs beside this one, and a record handed out after
            // the positions below were taken would be consumed again by the partition's next owner.
            var positions = new List<TopicPartitionOffset>(partitions.Count);
            lock (consumer._gate)
            {
                foreach (TopicPartition partition in partitions)
                {
                    if (consumer._assignment.TryGetValue(partition, out PartitionState? state))
                    {
                        state.Revoking = true;
                        if (state.ConsumedPosition >= 0)
                        {
                            positions.Add(new TopicPartitionOffset(partition, state.ConsumedPosition));
                        }
                    }
                }
            }

            try
            {
                consumer.PartitionsRevoked?.Invoke(partitions);
                if (commit && consumer._options.EnableAutoCommit)
                {
                    try
                    {
                        await consumer.CommitAsync(positions, cancellationToken).ConfigureAwait(false);
                    }
                    catch (KafkaException)
                    {
                        // The generation may already be gone; the records will be consumed again (at-least-once).
                    }
                }
            }
            finally
            {
                // Whatever the handler or the commit did, the partitions go: a revoking one is never read again.
                lock (consumer._gate)
                {
                    foreach (TopicPartition partition in partitions)
                    {
                        consumer._assignment.Remove(partition);
                    }
                }
            }
        }

        public void Assign(IReadOnlyList<TopicPartition> partitions)
        {
            if (partitions.Count == 0)
            {
                return;
            }

            lock (consumer._gate)
            {
                foreach (TopicPartition partition in partitions)
                {
                    consumer._assignment.TryAdd(partition, new PartitionState(partition, Offsets.Stored));
                }
            }

            consumer.WakeFetcher();
            consumer.PartitionsAssigned?.Invoke(partitions);
        }

        public Task CommitPositionsAsync(CancellationToken cancellationToken) => consumer.CommitAsync(cancellationToken);
    }
}
