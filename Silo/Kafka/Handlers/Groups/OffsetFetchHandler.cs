using Runnel.Grains.Cluster;
using Runnel.Grains;
using Runnel.Grains.Groups;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers.Groups;

/// <summary>
/// OffsetFetch: read straight from the offset store (no grain turn, so it never waits behind a rebalance). One group
/// up to v7, a batch of groups from v8; a null topic list (v2+) means every committed partition of the group.
/// A partition without a commit answers offset -1 and empty metadata, as Kafka does. With require_stable (v7+) a
/// partition whose offset an open transaction holds answers UNSTABLE_OFFSET_COMMIT, which clients retry.
/// </summary>
public sealed class OffsetFetchHandler : KafkaApiHandler<OffsetFetchRequest, OffsetFetchResponse>
{
    private readonly OffsetStore _offsets;
    private readonly ClusterView _cluster;
    private readonly PendingTransactionalOffsets _pending;

    public OffsetFetchHandler(OffsetStore offsets, ClusterView cluster, PendingTransactionalOffsets pending)
    {
        _offsets = offsets;
        _cluster = cluster;
        _pending = pending;
    }

    public override ApiKey Key => ApiKey.OffsetFetch;

    // v0 (ZooKeeper-stored offsets in Kafka) is not offered; v1 is what librdkafka 2.0.2 and kafka-python need.
    public override short MinVersion => 1;

    public override short MaxVersion => 8;

    protected override async ValueTask<OffsetFetchResponse?> HandleAsync(RequestContext context, OffsetFetchRequest request, CancellationToken cancellationToken)
    {
        await _offsets.WhenLoaded.WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = new OffsetFetchResponse();
        if (context.ApiVersion >= 8)
        {
            foreach (var group in request.Groups)
            {
                var groupResponse = new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = group.GroupId };
                response.Groups.Add(groupResponse);
                if (!_cluster.CoordinatesLocally(group.GroupId))
                {
                    groupResponse.ErrorCode = (short)ErrorCode.NotCoordinator;
                    continue;
                }

                await _offsets.EnsureLoadedAsync(_cluster.OffsetsPartitionOf(group.GroupId), cancellationToken).ConfigureAwait(false);
                var asked = group.Topics?.Select(t => (t.Name, (IReadOnlyList<int>)t.PartitionIndexes)).ToList();
                foreach (var (topic, partitions) in Lookup(group.GroupId, asked))
                {
                    var topicResponse = new OffsetFetchResponse.OffsetFetchResponseGroup.OffsetFetchResponseTopics { Name = topic };
                    groupResponse.Topics.Add(topicResponse);
                    foreach (var (partition, offset) in partitions)
                    {
                        topicResponse.Partitions.Add(new() { PartitionIndex = partition, CommittedOffset = offset?.Offset ?? -1, CommittedLeaderEpoch = offset?.LeaderEpoch ?? -1, Metadata = offset?.Metadata ?? string.Empty, ErrorCode = Stability(request.RequireStable, group.GroupId, topic, partition) });
                    }
                }
            }

            return response;
        }

        if (!_cluster.CoordinatesLocally(request.GroupId))
        {
            response.ErrorCode = (short)ErrorCode.NotCoordinator;
            return response;
        }

        await _offsets.EnsureLoadedAsync(_cluster.OffsetsPartitionOf(request.GroupId), cancellationToken).ConfigureAwait(false);
        var requested = request.Topics?.Select(t => (t.Name, (IReadOnlyList<int>)t.PartitionIndexes)).ToList();
        foreach (var (topic, partitions) in Lookup(request.GroupId, requested))
        {
            var topicResponse = new OffsetFetchResponse.OffsetFetchResponseTopic { Name = topic };
            response.Topics.Add(topicResponse);
            foreach (var (partition, offset) in partitions)
            {
                topicResponse.Partitions.Add(new() { PartitionIndex = partition, CommittedOffset = offset?.Offset ?? -1, CommittedLeaderEpoch = offset?.LeaderEpoch ?? -1, Metadata = offset?.Metadata ?? string.Empty, ErrorCode = Stability(context.ApiVersion >= 7 && request.RequireStable, request.GroupId, topic, partition) });
            }
        }

        return response;
    }

    /// <summary>KIP-447: with require_stable, a partition whose offset an open transaction holds is UNSTABLE_OFFSET_COMMIT (retriable).</summary>
    private short Stability(bool requireStable, string group, string topic, int partition)
        => requireStable && _pending.IsPending(group, topic, partition) ? (short)ErrorCode.UnstableOffsetCommit : (short)0;

    private List<(string Topic, List<(int Partition, CommittedOffset? Offset)> Partitions)> Lookup(string group, List<(string Name, IReadOnlyList<int> Partitions)>? requested)
    {
        if (requested is null)
        {
            return _offsets.GetAll(group)
                .GroupBy(e => e.Key.Topic, StringComparer.Ordinal)
                .Select(t => (t.Key, t.Select(e => (e.Key.Partition, (CommittedOffset?)e.Value)).ToList()))
                .ToList();
        }

        var result = new List<(string, List<(int, CommittedOffset?)>)>(requested.Count);
        foreach (var (topic, partitions) in requested)
        {
            var entries = new List<(int, CommittedOffset?)>(partitions.Count);
            foreach (int partition in partitions)
            {
                _offsets.TryGet(group, topic, partition, out CommittedOffset? offset);
                entries.Add((partition, offset));
            }

            result.Add((topic, entries));
        }

        return result;
    }

    protected override ErrorCode FirstError(OffsetFetchResponse response)
        => response.ErrorCode != 0 ? (ErrorCode)response.ErrorCode : (ErrorCode)(response.Groups.FirstOrDefault(g => g.ErrorCode != 0)?.ErrorCode ?? 0);
}
