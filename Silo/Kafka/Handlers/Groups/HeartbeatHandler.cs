using Runnel.Grains;
using Runnel.Grains.Cluster;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers.Groups;

/// <summary>Heartbeat: keeps a member's session alive and tells it (REBALANCE_IN_PROGRESS) when to rejoin.</summary>
public sealed class HeartbeatHandler : KafkaApiHandler<HeartbeatRequest, HeartbeatResponse>
{
    private readonly IGrainFactory _grains;
    private readonly ClusterView _cluster;

    public HeartbeatHandler(IGrainFactory grains, ClusterView cluster)
    {
        _grains = grains;
        _cluster = cluster;
    }

    public override ApiKey Key => ApiKey.Heartbeat;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    protected override async ValueTask<HeartbeatResponse?> HandleAsync(RequestContext context, HeartbeatRequest request, CancellationToken cancellationToken)
    {
        if (request.GroupId.Length == 0)
        {
            return new HeartbeatResponse { ErrorCode = (short)ErrorCode.InvalidGroupId };
        }

        if (!_cluster.CoordinatesLocally(request.GroupId))
        {
            return new HeartbeatResponse { ErrorCode = (short)ErrorCode.NotCoordinator };
        }

        ErrorCode error = await _grains.GetGrain<IGroupGrain>(request.GroupId)
            .HeartbeatAsync(request.GenerationId, request.MemberId, request.GroupInstanceId).WaitAsync(cancellationToken).ConfigureAwait(false);
        return new HeartbeatResponse { ErrorCode = (short)error };
    }

    protected override ErrorCode FirstError(HeartbeatResponse response) => (ErrorCode)response.ErrorCode;
}
