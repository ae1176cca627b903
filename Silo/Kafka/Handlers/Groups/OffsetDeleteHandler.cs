using Runnel.Grains.Cluster;
using Runnel.Grains;
using Runnel.Grains.Groups;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers.Groups;

/// <summary>OffsetDelete: removes committed offsets of partitions the group is not subscribed to (GROUP_SUBSCRIBED_TO_TOPIC otherwise).</summary>
public sealed class OffsetDeleteHandler : KafkaApiHandler<OffsetDeleteRequest, OffsetDeleteResponse>
{
    private readonly IGrainFactory _grains;
    private readonly GroupDirectory _directory;
    private readonly OffsetStore _offsets;
    private readonly ClusterView _cluster;

    public OffsetDeleteHandler(IGrainFactory grains, GroupDirectory directory, OffsetStore offsets, ClusterView cluster)
    {
        _cluster = cluster;
        _grains = grains;
        _directory = directory;
        _offsets = offsets;
    }

    public override ApiKey Key => ApiKey.OffsetDelete;

    public override short MinVersion => 0;

    public override short MaxVersion => 0;

    protected override async ValueTask<OffsetDeleteResponse?> HandleAsync(RequestContext context, OffsetDeleteRequest request, CancellationToken cancellationToken)
    {
        await _offsets.WhenLoaded.WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = new OffsetDeleteResponse();
        if (request.GroupId.Length > 0 && !_cluster.CoordinatesLocally(request.GroupId))
        {
            response.ErrorCode = (short)ErrorCode.NotCoordinator;
            return response;
        }

        if (request.GroupId.Length == 0 || !_directory.Contains(request.GroupId))
        {
            response.ErrorCode = (short)(request.GroupId.Length == 0 ? ErrorCode.InvalidGroupId : ErrorCode.GroupIdNotFound);
            return response;
        }

        var partitions = request.Topics.SelectMany(t => t.Partitions.Select(p => new GroupTopicPartition(t.Name, p.PartitionIndex))).ToList();
        OffsetDeleteOutcome outcome = await _grains.GetGrain<IGroupGrain>(request.GroupId).DeleteOffsetsAsync(partitions).WaitAsync(cancellationToken).ConfigureAwait(false);
        (ErrorCode error, IReadOnlyList<ErrorCode> errors) = (outcome.Error, outcome.Partitions);
        response.ErrorCode = (short)error;
        if (error != ErrorCode.None)
        {
            return response;
        }

        int i = 0;
        foreach (var topic in request.Topics)
        {
            var topicResponse = new OffsetDeleteResponse.OffsetDeleteResponseTopic { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (var partition in topic.Partitions)
            {
                topicResponse.Partitions.Add(new() { PartitionIndex = partition.PartitionIndex, ErrorCode = (short)errors[i++] });
            }
        }

        return response;
    }

    protected override ErrorCode FirstError(OffsetDeleteResponse response)
        => response.ErrorCode != 0 ? (ErrorCode)response.ErrorCode
            : (ErrorCode)(response.Topics.SelectMany(t => t.Partitions).FirstOrDefault(p => p.ErrorCode != 0)?.ErrorCode ?? 0);
}
