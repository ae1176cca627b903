using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Client.Network;

/// <summary>
/// Finds a group's coordinator (FindCoordinator) and runs requests against it, finding it again when it moved or
/// is not available yet (COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, network errors).
/// </summary>
internal sealed class GroupCoordinator(KafkaCluster cluster, string groupId)
{
    private BrokerEndpoint? _coordinator;

    public string GroupId { get; } = groupId;

    /// <summary>Forgets the coordinator; the next call looks it up again.</summary>
    public void Invalidate() => _coordinator = null;

    public async Task<BrokerConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        BrokerEndpoint coordinator = _coordinator ?? await FindAsync(cancellationToken).ConfigureAwait(false);
        _coordinator = coordinator;
        try
        {
            return await cluster.GetConnectionAsync(KafkaCluster.CoordinatorKey(coordinator.NodeId), coordinator, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException)
        {
            Invalidate();
            throw;
        }
    }

    /// <summary>Runs <paramref name="call"/> on the coordinator's connection with the cluster's retry policy; error codes the call throws drive re-discovery.</summary>
    public Task<T> RunAsync<T>(string what, Func<BrokerConnection, CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        cluster.RetryAsync(what, async ct =>
        {
            BrokerConnection connection = await ConnectAsync(ct).ConfigureAwait(false);
            try
            {
                return await call(connection, ct).ConfigureAwait(false);
            }
            catch (KafkaException e) when (KafkaErrors.NeedsCoordinatorRediscovery(e.ErrorCode))
            {
                Invalidate();
                throw;
            }
        }, cancellationToken);

    private async Task<BrokerEndpoint> FindAsync(CancellationToken cancellationToken)
    {
        BrokerConnection connection = await cluster.GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false);
        var request = new FindCoordinatorRequest { Key = GroupId, KeyType = 0 };
        FindCoordinatorResponse response = await connection.SendAsync<FindCoordinatorResponse>(ApiKey.FindCoordinator, request, cancellationToken).ConfigureAwait(false);
        KafkaErrors.ThrowIfError(response.ErrorCode, $"FindCoordinator for group '{GroupId}'", response.ErrorMessage);
        return new BrokerEndpoint(response.NodeId, response.Host, response.Port);
    }
}
