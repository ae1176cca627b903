using Runnel.Grains.Cluster;
using Runnel.Grains;
using Runnel.Grains.Groups;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers.Groups;

/// <summary>DeleteGroups: empty groups only (NON_EMPTY_GROUP otherwise); their offsets get tombstones.</summary>
public sealed class DeleteGroupsHandler : KafkaApiHandler<DeleteGroupsRequest, DeleteGroupsResponse>
{
    private readonly IGrainFactory _grains;
    private readonly GroupDirectory _directory;
    private readonly OffsetStore _offsets;
    private readonly ClusterView _cluster;

    public DeleteGroupsHandler(IGrainFactory grains, GroupDirectory directory, OffsetStore offsets, ClusterView cluster)
    {
        _cluster = cluster;
        _grains = grains;
        _directory = directory;
        _offsets = offsets;
    }

    public override ApiKey Key => ApiKey.DeleteGroups;

    public override short MinVersion => 0;

    public override short MaxVersion => 2;

    protected override async ValueTask<DeleteGroupsResponse?> HandleAsync(RequestContext context, DeleteGroupsRequest request, CancellationToken cancellationToken)
    {
        await _offsets.WhenLoaded.WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = new DeleteGroupsResponse();
        foreach (string groupId in request.GroupsNames)
        {
            ErrorCode error = groupId.Length == 0 ? ErrorCode.InvalidGroupId
                : !_cluster.CoordinatesLocally(groupId) ? ErrorCode.NotCoordinator
                : !_directory.Contains(groupId) ? ErrorCode.GroupIdNotFound
                : await _grains.GetGrain<IGroupGrain>(groupId).DeleteAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            response.Results.Add(new() { GroupId = groupId, ErrorCode = (short)error });
        }

        return response;
    }

    protected override ErrorCode FirstError(DeleteGroupsResponse response)
        => (ErrorCode)(response.Results.FirstOrDefault(r => r.ErrorCode != 0)?.ErrorCode ?? 0);
}
