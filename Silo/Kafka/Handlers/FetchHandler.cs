using Runnel.Grains.Partitions;
using Runnel.Grains.Cluster;
using Runnel.Grains.Metadata;
using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>
/// Fetch: returns stored batches as they are (never re-encoded), starting with the batch that holds the requested
/// offset. Long-polls until min_bytes arrive or max_wait_ms passes. Fetch sessions (KIP-227) are not kept: every
/// answer has session id 0, which tells clients to keep sending full fetches.
/// </summary>
/// <remarks>
/// The answer holds the batches as slices of the log's own memory (immutable once published, kept alive by the
/// slices) and the <see cref="FetchAnswer"/> writes them straight into the connection's pipe: each byte of a record
/// set is copied once in the silo.
/// </remarks>
public sealed class FetchHandler : KafkaApiHandler<FetchRequest, FetchAnswer>
{
    private readonly TopicService _topics;
    private readonly ClusterView _cluster;

    public FetchHandler(TopicService topics, ClusterView cluster)
    {
        _topics = topics;
        _cluster = cluster;
    }

    private const sbyte ReadCommitted = 1;

    public override ApiKey Key => ApiKey.Fetch;

    // v4 is the first with record batch v2 semantics that librdkafka needs; v13 addresses topics by id.
    public override short MinVersion => 4;

    public override short MaxVersion => 13;

    protected override async ValueTask<FetchAnswer?> HandleAsync(RequestContext context, FetchRequest request, CancellationToken cancellationToken)
    {
        if (request.SessionId != 0)
        {
            return new FetchAnswer(new FetchResponse { ErrorCode = (short)ErrorCode.FetchSessionIdNotFound, SessionId = 0 });
        }

        long deadline = Environment.TickCount64 + Math.Max(0, request.MaxWaitMs);
        int maxBytes = request.MaxBytes <= 0 ? int.MaxValue : request.MaxBytes;
        var readers = new List<(IPartitionReader Reader, long SeenHighWatermark)>();
        bool readCommitted = request.IsolationLevel == ReadCommitted;
        while (true)
        {
            long written = 0;
            FetchResponse response = new();
            var answer = new FetchAnswer(response);
            readers.Clear();
            bool anyError = false;
            foreach (var fetchTopic in request.Topics)
            {
                TopicMetadata? topic = await ResolveTopicAsync(context.ApiVersion, fetchTopic.Topic, fetchTopic.TopicId, cancellationToken).ConfigureAwait(false);
                var topicResponse = new FetchResponse.FetchableTopicResponse { Topic = fetchTopic.Topic, TopicId = fetchTopic.TopicId };
                response.Responses.Add(topicResponse);
                foreach (var fetchPartition in fetchTopic.Partitions)
                {
                    var entry = new FetchResponse.FetchableTopicResponse.PartitionData { PartitionIndex = fetchPartition.Partition, HighWatermark = -1, LastStableOffset = -1, LogStartOffset = -1, Records = ReadOnlyMemory<byte>.Empty };
                    topicResponse.Partitions.Add(entry);
                    int firstSegment = answer.Segments.Count;
                    if (topic is null || fetchPartition.Partition < 0 || fetchPartition.Partition >= topic.PartitionCount)
                    {
                        entry.ErrorCode = (short)(topic is null && context.ApiVersion >= 13 ? ErrorCode.UnknownTopicId : ErrorCode.UnknownTopicOrPartition);
                        anyError = true;
                        answer.EndPartition(firstSegment, 0);
                        continue;
                    }

                    if (!_cluster.LeadsLocally(topic, fetchPartition.Partition))
                    {
                        entry.ErrorCode = (short)ErrorCode.NotLeaderOrFollower;
                        anyError = true;
                        answer.EndPartition(firstSegment, 0);
                        continue;
                    }

                    IPartitionReader? reader = await _topics.GetReaderAsync(topic, fetchPartition.Partition, cancellationToken).ConfigureAwait(false);
                    if (reader is null)
                    {
                        entry.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                        anyError = true;
                        answer.EndPartition(firstSegment, 0);
                        continue;
                    }

                    int limit = (int)Math.Min(fetchPartition.PartitionMaxBytes, maxBytes - written);
                    FetchRead read = limit <= 0 && written > 0 ? new FetchRead(ErrorCode.None, 0, reader.HighWatermark, reader.LogStartOffset) { LastStableOffset = reader.LastStableOffset }
                        : readCommitted ? await reader.ReadCommittedSlicesAsync(fetchPartition.FetchOffset, Math.Max(limit, 0), allowOversizedFirstBatch: written == 0, answer.Segments, cancellationToken).ConfigureAwait(false)
                        : await reader.ReadSlicesAsync(fetchPartition.FetchOffset, Math.Max(limit, 0), allowOversizedFirstBatch: written == 0, answer.Segments, cancellationToken).ConfigureAwait(false);
                    entry.ErrorCode = (short)read.Error;
                    entry.HighWatermark = read.HighWatermark;
                    entry.LastStableOffset = read.LastStableOffset >= 0 ? read.LastStableOffset : reader.LastStableOffset;
                    entry.LogStartOffset = read.LogStartOffset;
                    if (read.AbortedTransactions is { } aborted)
                    {
                        AddAborted(entry, aborted);
                    }

                    anyError |= read.Error != ErrorCode.None;
                    readers.Add((reader, read.HighWatermark));
                    written += read.BytesWritten;
                    answer.EndPartition(firstSegment, read.BytesWritten);
                }
            }

            long now = Environment.TickCount64;
            if (written >= request.MinBytes || anyError || now >= deadline || readers.Count == 0)
            {
                return answer;
            }

            await WaitForAnyAppendAsync(readers, deadline - now, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Lists the aborted transactions a read_committed consumer must skip in this answer (rare: only after an abort).</summary>
    private static void AddAborted(FetchResponse.FetchableTopicResponse.PartitionData entry, Runnel.Grains.Producers.AbortedTransaction[] aborted)
    {
        var list = new List<FetchResponse.FetchableTopicResponse.PartitionData.AbortedTransaction>(aborted.Length);
        foreach (var a in aborted)
        {
            list.Add(new() { ProducerId = a.ProducerId, FirstOffset = a.FirstOffset });
        }

        entry.AbortedTransactions = list;
    }

    private ValueTask<TopicMetadata?> ResolveTopicAsync(short version, string name, Guid id, CancellationToken cancellationToken) =>
        version >= 13 ? _topics.FindTopicAsync(id, cancellationToken) : _topics.FindTopicAsync(name, cancellationToken);

    private static async Task WaitForAnyAppendAsync(List<(IPartitionReader Reader, long SeenHighWatermark)> readers, long waitMs, CancellationToken cancellationToken)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var waits = new Task[readers.Count + 1];
        for (int i = 0; i < readers.Count; i++)
        {
            waits[i] = readers[i].Reader.WaitForAppendAsync(readers[i].SeenHighWatermark, wake.Token);
        }

        waits[^1] = Task.Delay(TimeSpan.FromMilliseconds(waitMs), wake.Token);
        await Task.WhenAny(waits).ConfigureAwait(false);
        await wake.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    protected override ErrorCode FirstError(FetchAnswer answer)
    {
        FetchResponse response = answer.Response;
        if (response.ErrorCode != 0)
        {
            return (ErrorCode)response.ErrorCode;
        }

        foreach (var topic in response.Responses)
        {
            foreach (var partition in topic.Partitions)
            {
                if (partition.ErrorCode != 0)
                {
                    return (ErrorCode)partition.ErrorCode;
                }
            }
        }

        return ErrorCode.None;
    }
}
