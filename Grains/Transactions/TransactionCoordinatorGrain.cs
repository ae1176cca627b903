using Microsoft.Extensions.Logging;
using Runnel.Grains.Cluster;
using Runnel.Grains.Metadata;
using Runnel.Grains.Topics;
using Runnel.Protocol;

namespace Runnel.Grains.Transactions;

/// <summary>
/// The coordinator of one transactional id (see <see cref="ITransactionCoordinatorGrain"/>): a state machine driven
/// by the producer's requests and a timer that aborts a transaction open past its timeout. Each change is written
/// to `__transaction_state` (through <see cref="TransactionStore"/>) before it is answered. Not reentrant: one
/// request at a time, including the marker writes of EndTxn, so a transaction is never changed while it ends.
/// </summary>
[GrainType(GrainTypes.TransactionCoordinator)]
[LeaderPlacement]
public sealed partial class TransactionCoordinatorGrain : Grain, ITransactionCoordinatorGrain
{
    /// <summary>Kafka's transaction.max.timeout.ms default: longer timeouts are refused with INVALID_TRANSACTION_TIMEOUT.</summary>
    public const int MaxTransactionTimeoutMs = 900_000;

    private static readonly TimeSpan s_timeoutCheck = TimeSpan.FromSeconds(1);

    private readonly TransactionStore _store;
    private readonly TopicService _topics;
    private readonly ClusterView _cluster;
    private readonly ILogger<TransactionCoordinatorGrain> _logger;
    private TransactionMetadata? _state;
    private IDisposable? _timeoutTimer;

    public TransactionCoordinatorGrain(TransactionStore store, TopicService topics, ClusterView cluster, ILogger<TransactionCoordinatorGrain> logger)
    {
        _store = store;
        _topics = topics;
        _cluster = cluster;
        _logger = logger;
    }

    private string TransactionalId => this.GetPrimaryKeyString();

    private static long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!_cluster.CoordinatesTransactionLocally(TransactionalId))
        {
            throw new NotLeaderException($"Node {_cluster.LocalNode} does not coordinate transactional id '{TransactionalId}'; node {_cluster.TransactionCoordinatorOf(TransactionalId)} does.");
        }

        await _store.EnsureLoadedAsync(TransactionalId);
        _store.TryGet(TransactionalId, out _state);
        WatchTimeout();
    }

    public async Task<TxnInitOutcome> InitProducerAsync(int transactionTimeoutMs, long producerId, short producerEpoch)
    {
        if (transactionTimeoutMs is <= 0 or > MaxTransactionTimeoutMs)
        {
            return new TxnInitOutcome(ErrorCode.InvalidTransactionTimeout, -1, -1);
        }

        // KIP-360: a producer that names its id and epoch asks to bump that epoch, which must be the current one.
        if (producerId >= 0 && _state is { } known && (producerId != known.ProducerId || producerEpoch != known.ProducerEpoch))
        {
            return new TxnInitOutcome(ErrorCode.ProducerFenced, -1, -1);
        }

        if (_state is { IsOpen: true } open)
        {
            // The previous producer's transaction can never be finished by it now: abort (or finish) it, fencing
            // that producer's epoch in every partition with the markers' newer epoch.
            ErrorCode ended = await FinishAsync(commit: open.State == TransactionState.PrepareCommit, bumpEpoch: open.State == TransactionState.Ongoing);
            if (ended != ErrorCode.None)
            {
                return new TxnInitOutcome(ErrorCode.ConcurrentTransactions, -1, -1);
            }
        }

        long id;
        short epoch;
        if (_state is { } current && current.ProducerEpoch < short.MaxValue - 1)
        {
            id = current.ProducerId;
            epoch = (short)(current.ProducerEpoch + 1);
        }
        else
        {
            id = await AllocateProducerIdAsync();
            if (id < 0)
            {
                return new TxnInitOutcome(ErrorCode.CoordinatorNotAvailable, -1, -1);
            }

            epoch = 0;
        }

        var next = new TransactionMetadata { ProducerId = id, ProducerEpoch = epoch, TimeoutMs = transactionTimeoutMs, State = TransactionState.Empty, UpdateMs = NowMs };
        ErrorCode written = await WriteAsync(next);
        if (written == ErrorCode.None)
        {
            LogInitialized(_logger, TransactionalId, id, epoch);
        }

        return written == ErrorCode.None ? new TxnInitOutcome(ErrorCode.None, id, epoch) : new TxnInitOutcome(written, -1, -1);
    }

    public Task RecoverAsync() => _state is { IsOpen: true } open
        ? FinishAsync(commit: open.State == TransactionState.PrepareCommit, bumpEpoch: open.State == TransactionState.Ongoing)
        : Task.CompletedTask;

    public Task<TxnDescription> DescribeAsync()
    {
        TransactionMetadata state = _state ?? new TransactionMetadata();
        var partitions = new List<TxnPartition>(state.Partitions.Count);
        foreach (TransactionPartition p in state.Partitions)
        {
            partitions.Add(new TxnPartition(p.Topic, p.Partition));
        }

        return Task.FromResult(new TxnDescription(TransactionalId, state.State.ToString(), state.ProducerId, state.ProducerEpoch, state.TimeoutMs, partitions));
    }

    /// <summary>The producer's id and epoch against the coordinator's: unknown id, fenced (older) or invalid (newer) epoch.</summary>
    private ErrorCode CheckProducer(long producerId, short producerEpoch)
    {
        if (_state is null || producerId != _state.ProducerId)
        {
            return ErrorCode.InvalidProducerIdMapping;
        }

        return producerEpoch < _state.ProducerEpoch ? ErrorCode.ProducerFenced
            : producerEpoch > _state.ProducerEpoch ? ErrorCode.InvalidProducerEpoch
            : ErrorCode.None;
    }

    private async Task<long> AllocateProducerIdAsync()
    {
        try
        {
            return await _topics.AllocateProducerIdAsync(CancellationToken.None);
        }
        catch (IOException)
        {
            return -1; // the metadata store could not reserve ids now; the client retries
        }
    }

    private async Task<ErrorCode> WriteAsync(TransactionMetadata next)
    {
        ErrorCode written = await _store.WriteAsync(TransactionalId, next);
        if (written == ErrorCode.None)
        {
            _state = next;
            WatchTimeout();
        }

        return written;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Transactional id {TransactionalId}: producer {ProducerId} epoch {Epoch}")]
    private static partial void LogInitialized(ILogger logger, string transactionalId, long producerId, short epoch);
}
