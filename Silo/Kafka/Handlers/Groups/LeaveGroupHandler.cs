using Runnel.Grains;
using Runnel.Grains.Cluster;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers.Groups;

/// <summary>LeaveGroup: one member before v3, a batch of members (by member id or group.instance.id) from v3.</summary>
public sealed class LeaveGroupHandler : KafkaApiHandler<LeaveGroupRequest, LeaveGroupResponse>
{
    private readonly IGrainFactory _grains;
    private readonly ClusterView _cluster;

    public LeaveGroupHandler(IGrainFactory grains, ClusterView cluster)
    {
        _grains = grains;
        _cluster = cluster;
    }

    public override ApiKey Key => ApiKey.LeaveGroup;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    protected override async ValueTask<LeaveGroupResponse?> HandleAsync(RequestContext context, LeaveGroupRequest request, CancellationToken cancellationToken)
    {
        bool batched = context.ApiVersion >= 3;
        var response = new LeaveGroupResponse();
        if (request.GroupId.Length == 0)
        {
            response.ErrorCode = (short)ErrorCode.InvalidGroupId;
            return response;
        }

        if (!_cluster.CoordinatesLocally(request.GroupId))
        {
            response.ErrorCode = (short)ErrorCode.NotCoordinator;
            return response;
        }

        List<LeavingMember> leaving = batched
            ? request.Members.Select(m => new LeavingMember(m.MemberId, m.GroupInstanceId)).ToList()
            : [new LeavingMember(request.MemberId, null)];
        IReadOnlyList<ErrorCode> errors = await _grains.GetGrain<IGroupGrain>(request.GroupId)
            .LeaveAsync(leaving).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!batched)
        {
            response.ErrorCode = (short)errors[0];
            return response;
        }

        for (int i = 0; i < leaving.Count; i++)
        {
            response.Members.Add(new() { MemberId = leaving[i].MemberId, GroupInstanceId = leaving[i].GroupInstanceId, ErrorCode = (short)errors[i] });
        }

        return response;
    }

    protected override ErrorCode FirstError(LeaveGroupResponse response)
        => response.ErrorCode != 0 ? (ErrorCode)response.ErrorCode : (ErrorCode)(response.Members.FirstOrDefault(m => m.ErrorCode != 0)?.ErrorCode ?? 0);
}
