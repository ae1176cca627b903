using Runnel.Grains;
using Runnel.Grains.Cluster;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers.Groups;

/// <summary>
/// OffsetCommit: fenced by generation and member id in the group grain, then written to the offsets topic before
/// the answer. v0 carries no generation (the generated defaults, -1 and "", make it a standalone commit);
/// retention_time_ms (v2-v4) is ignored, as Kafka does since 2.1: offsets.retention.minutes rules.
/// </summary>
public sealed class OffsetCommitHandler : KafkaApiHandler<OffsetCommitRequest, OffsetCommitResponse>
{
    private readonly IGrainFactory _grains;
    private readonly ClusterView _cluster;

    public OffsetCommitHandler(IGrainFactory grains, ClusterView cluster)
    {
        _grains = grains;
        _cluster = cluster;
    }

    public override ApiKey Key => ApiKey.OffsetCommit;

    // librdkafka 2.0.2 needs 1..2 in the range for consumer groups; v8 (flexible) is @platformatic/kafka's lowest.
    public override short MinVersion => 0;

    public override short MaxVersion => 8;

    protected override async ValueTask<OffsetCommitResponse?> HandleAsync(RequestContext context, OffsetCommitRequest request, CancellationToken cancellationToken)
    {
        var entries = new List<OffsetCommitEntry>();
        foreach (var topic in request.Topics)
        {
            foreach (var partition in topic.Partitions)
            {
                entries.Add(new OffsetCommitEntry(topic.Name, partition.PartitionIndex, partition.CommittedOffset, partition.CommittedLeaderEpoch, partition.CommittedMetadata));
            }
        }

        IReadOnlyList<ErrorCode> errors;
        if (request.GroupId.Length == 0)
        {
            errors = Enumerable.Repeat(ErrorCode.InvalidGroupId, entries.Count).ToList();
        }
        else if (!_cluster.CoordinatesLocally(request.GroupId))
        {
            errors = Enumerable.Repeat(ErrorCode.NotCoordinator, entries.Count).ToList();
        }
        else
        {
            var call = new OffsetCommitCall(request.GenerationIdOrMemberEpoch, request.MemberId, request.GroupInstanceId, entries);
            errors = await _grains.GetGrain<IGroupGrain>(request.GroupId).CommitOffsetsAsync(call).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var response = new OffsetCommitResponse();
        int i = 0;
        foreach (var topic in request.Topics)
        {
            var topicResponse = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (var partition in topic.Partitions)
            {
                topicResponse.Partitions.Add(new() { PartitionIndex = partition.PartitionIndex, ErrorCode = (short)errors[i++] });
            }
        }

        return response;
    }

    protected override ErrorCode FirstError(OffsetCommitResponse response)
        => (ErrorCode)(response.Topics.SelectMany(t => t.Partitions).FirstOrDefault(p => p.ErrorCode != 0)?.ErrorCode ?? 0);
}
