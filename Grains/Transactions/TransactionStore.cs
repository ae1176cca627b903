using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Runnel.Grains.Cluster;
using Runnel.Grains.Metadata;
using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Records;

namespace Runnel.Grains.Transactions;

/// <summary>
/// Transaction coordinators' state: the `__transaction_state` topic is the truth, this is its view, replayed when the
/// silo starts (<see cref="LoadAsync"/>) and kept current by the coordinator grains' writes (one writer per
/// transactional id: its grain). After the replay every transaction a stop interrupted is handed to its coordinator,
/// which completes it (PrepareCommit, PrepareAbort) or aborts it (Ongoing).
/// </summary>
public sealed partial class TransactionStore
{
    private readonly ConcurrentDictionary<string, TransactionMetadata> _transactions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, Task<long>> _partitionLoads = new();
    private readonly TopicService _topics;
    private readonly ClusterView _cluster;
    private readonly IGrainFactory _grains;
    private readonly ILogger<TransactionStore> _logger;

    public TransactionStore(TopicService topics, ClusterView cluster, IGrainFactory grains, ILogger<TransactionStore> logger)
    {
        _topics = topics;
        _cluster = cluster;
        _grains = grains;
        _logger = logger;
    }

    public bool TryGet(string transactionalId, out TransactionMetadata? metadata) => _transactions.TryGetValue(transactionalId, out metadata);

    /// <summary>
    /// Replays the partitions this silo leads (one silo: every partition with a log folder) and then asks the
    /// coordinator of every transaction left open to finish it.
    /// </summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        TopicMetadata? topic = _topics.TryGetTopic(TransactionStateTopic.Name, out TopicMetadata? existing) ? existing : null;
        var takeOvers = new List<Task<int>>();
        for (int p = 0; p < (topic?.PartitionCount ?? 0); p++)
        {
            bool load = _cluster.IsClustered ? _cluster.LeadsLocally(topic!, p) : Directory.Exists(_topics.PartitionPath(topic!, p));
            if (load)
            {
                takeOvers.Add(TakeOverAsync(p));
            }
        }

        int finished = 0;
        try
        {
            foreach (int count in await Task.WhenAll(takeOvers).WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                finished += count;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A coordinator that could not finish now finishes when its producer comes back or its timer fires.
            LogRecoveryFailed(_logger, ex.Message);
        }

        LogLoaded(_logger, _transactions.Count, finished);
    }

    /// <summary>The topic, created with <see cref="TransactionStateTopic.Partitions"/> partitions if it does not exist yet.</summary>
    public async Task<TopicMetadata> EnsureTopicAsync()
    {
        if (_topics.TryGetTopic(TransactionStateTopic.Name, out TopicMetadata? topic))
        {
            return topic;
        }

        TopicOperationResult created = await _topics.CreateTopicAsync(TransactionStateTopic.Name, TransactionStateTopic.Partitions, TransactionStateTopic.Configs, validateOnly: false).ConfigureAwait(false);
        return _topics.TryGetTopic(TransactionStateTopic.Name, out topic)
            ? topic
            : throw new InvalidOperationException($"Could not create {TransactionStateTopic.Name}: {created.Error} {created.Message}");
    }

    /// <summary>Completes once the partition holding <paramref name="transactionalId"/> is in the view.</summary>
    public async Task EnsureLoadedAsync(string transactionalId)
    {
        TopicMetadata topic = await EnsureTopicAsync().ConfigureAwait(false);
        await EnsureLoadedCoreAsync(TransactionStateTopic.PartitionFor(transactionalId, topic.PartitionCount)).ConfigureAwait(false);
    }

    /// <summary>Appends the coordinator's new state (acks=all) and applies it to the view once it is in the log.</summary>
    public async Task<ErrorCode> WriteAsync(string transactionalId, TransactionMetadata metadata)
    {
        if (!_topics.TryGetTopic(TransactionStateTopic.Name, out TopicMetadata? topic))
        {
            return ErrorCode.CoordinatorNotAvailable;
        }

        byte[] value = JsonSerializer.SerializeToUtf8Bytes(metadata, TransactionJsonContext.Default.TransactionMetadata);
        byte[] batch = new RecordBatchBuilder().Add(metadata.UpdateMs, Encoding.UTF8.GetBytes(transactionalId), value).ToArray();
        int partition = TransactionStateTopic.PartitionFor(transactionalId, topic.PartitionCount);
        try
        {
            AppendOutcome outcome = await _topics.Partition(TransactionStateTopic.Name, partition).AppendAsync(batch, -1).ConfigureAwait(false);
            if (outcome.Error != ErrorCode.None)
            {
                LogWriteFailed(_logger, transactionalId, outcome.ErrorMessage ?? outcome.Error.ToString());
                return ErrorCode.CoordinatorNotAvailable;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogWriteFailed(_logger, transactionalId, ex.Message);
            return ErrorCode.CoordinatorNotAvailable;
        }

        _transactions[transactionalId] = metadata;
        return ErrorCode.None;
    }

    private Task<long> EnsureLoadedCoreAsync(int partition)
    {
        Task<long> load = _partitionLoads.GetOrAdd(partition, p => ReplayAsync(p));
        if (load.IsFaulted || load.IsCanceled)
        {
            _partitionLoads.TryRemove(new KeyValuePair<int, Task<long>>(partition, load));
        }

        return load;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded the state of {Transactions} transactional ids; finished {Finished} transactions the last stop left open")]
    private static partial void LogLoaded(ILogger logger, int transactions, int finished);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the state of transactional id {TransactionalId} failed: {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, string transactionalId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Finishing transactions interrupted by the last stop failed: {Reason}")]
    private static partial void LogRecoveryFailed(ILogger logger, string reason);
}
