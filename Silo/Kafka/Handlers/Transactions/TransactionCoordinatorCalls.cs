using Runnel.Grains;
using Runnel.Grains.Cluster;
using Runnel.Protocol;

namespace Runnel.Silo.Kafka.Handlers.Transactions;

/// <summary>
/// How the transaction handlers reach a coordinator grain: only on the silo that coordinates the id (others answer
/// NOT_COORDINATOR, so the client looks the coordinator up again), with the errors older request versions know.
/// </summary>
public sealed class TransactionCoordinatorCalls
{
    private readonly IGrainFactory _grains;
    private readonly ClusterView _cluster;

    public TransactionCoordinatorCalls(IGrainFactory grains, ClusterView cluster)
    {
        _grains = grains;
        _cluster = cluster;
    }

    /// <summary>The id's coordinator grain, or null with the error to answer (empty id, another silo coordinates it).</summary>
    public ITransactionCoordinatorGrain? Find(string? transactionalId, out ErrorCode error)
    {
        if (string.IsNullOrEmpty(transactionalId))
        {
            error = ErrorCode.InvalidRequest;
            return null;
        }

        if (!_cluster.CoordinatesTransactionLocally(transactionalId))
        {
            error = ErrorCode.NotCoordinator;
            return null;
        }

        error = ErrorCode.None;
        return _grains.GetGrain<ITransactionCoordinatorGrain>(transactionalId);
    }

    /// <summary>The id's coordinator grain wherever it runs (placement puts it on the coordinating silo).</summary>
    public ITransactionCoordinatorGrain Any(string transactionalId) => _grains.GetGrain<ITransactionCoordinatorGrain>(transactionalId);

    /// <summary>
    /// Runs a coordinator call; an activation refused because leadership moved meanwhile is NOT_COORDINATOR, which
    /// clients retry after finding the coordinator again, and any other failure of the call (a silo going away, a
    /// timeout) COORDINATOR_NOT_AVAILABLE, which they retry as well.
    /// </summary>
    public static async Task<T> CallAsync<T>(Func<Task<T>> call, Func<ErrorCode, T> failed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(failed);
        try
        {
            return await call().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Both answers are retriable: the client finds the coordinator again, or retries it a little later.
            return failed(ex is NotLeaderException || ex.InnerException is NotLeaderException ? ErrorCode.NotCoordinator : ErrorCode.CoordinatorNotAvailable);
        }
    }

    /// <summary>PRODUCER_FENCED exists from the version given (KIP-588); older clients know INVALID_PRODUCER_EPOCH.</summary>
    public static ErrorCode ForVersion(ErrorCode error, short version, short fencedFrom)
        => error == ErrorCode.ProducerFenced && version < fencedFrom ? ErrorCode.InvalidProducerEpoch : error;
}
