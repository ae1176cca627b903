using Runnel.Grains;
using Runnel.Grains.Cluster;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers.Groups;

/// <summary>SyncGroup: held until the leader's assignment arrives, then every member gets its own part.</summary>
public sealed class SyncGroupHandler : KafkaApiHandler<SyncGroupRequest, SyncGroupResponse>
{
    private readonly IGrainFactory _grains;
    private readonly ClusterView _cluster;

    public SyncGroupHandler(IGrainFactory grains, ClusterView cluster)
    {
        _grains = grains;
        _cluster = cluster;
    }

    public override ApiKey Key => ApiKey.SyncGroup;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    protected override async ValueTask<SyncGroupResponse?> HandleAsync(RequestContext context, SyncGroupRequest request, CancellationToken cancellationToken)
    {
        if (request.GroupId.Length == 0)
        {
            return ToResponse(SyncGroupOutcome.Failed(ErrorCode.InvalidGroupId));
        }

        if (!_cluster.CoordinatesLocally(request.GroupId))
        {
            return ToResponse(SyncGroupOutcome.Failed(ErrorCode.NotCoordinator));
        }

        var call = new SyncGroupCall(
            request.GenerationId,
            request.MemberId,
            request.GroupInstanceId,
            request.ProtocolType,
            request.ProtocolName,
            request.Assignments.Select(a => new MemberAssignment(a.MemberId, a.Assignment.ToArray())).ToList());
        SyncGroupOutcome outcome = await _grains.GetGrain<IGroupGrain>(request.GroupId).SyncAsync(call).WaitAsync(cancellationToken).ConfigureAwait(false);
        return ToResponse(outcome);
    }

    private static SyncGroupResponse ToResponse(SyncGroupOutcome outcome) => new()
    {
        ErrorCode = (short)outcome.Error,
        ProtocolType = outcome.ProtocolType,
        ProtocolName = outcome.ProtocolName,
        Assignment = outcome.Assignment,
    };

    protected override ErrorCode FirstError(SyncGroupResponse response) => (ErrorCode)response.ErrorCode;
}
