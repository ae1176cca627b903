using Microsoft.Extensions.Options;
using Runnel.Grains;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.Cluster;
using Runnel.Grains.Groups;
using Runnel.Grains.Metadata;
using Runnel.Grains.Partitions;
using Runnel.Grains.Tiering;
using Runnel.Grains.Topics;
using Runnel.Grains.Transactions;

namespace Runnel.Silo.Cluster;

/// <summary>
/// Keeps this silo in step with the cluster metadata (cluster mode only): rereads it every tick, closes partitions
/// it no longer leads or whose topic is gone, reloads changed topic configs, loads the offsets partitions it has
/// come to lead, and asks the controller to fail over partitions of dead nodes.
/// </summary>
internal sealed partial class ClusterReconciler : BackgroundService
{
    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(500);

    private readonly TopicService _topics;
    private readonly ClusterView _cluster;
    private readonly PartitionDirectory _partitions;
    private readonly OffsetStore _offsets;
    private readonly TransactionStore _transactions;
    private readonly IGrainFactory _grains;
    private readonly IBlobStore _blobs;
    private readonly StrandedLogs _stranded;
    private readonly BrokerOptions _broker;
    private readonly ILogger<ClusterReconciler> _logger;
    private readonly Dictionary<string, Grains.Topics.TopicConfig> _configs = new(StringComparer.Ordinal);
    private long _ticks;
    private bool _scanned;

    public ClusterReconciler(TopicService topics, ClusterView cluster, PartitionDirectory partitions, OffsetStore offsets, TransactionStore transactions, IGrainFactory grains, IBlobStore blobs, StrandedLogs stranded, IOptions<BrokerOptions> broker, ILogger<ClusterReconciler> logger)
    {
        _blobs = blobs;
        _stranded = stranded;
        _broker = broker.Value;
        _topics = topics;
        _cluster = cluster;
        _partitions = partitions;
        _offsets = offsets;
        _transactions = transactions;
        _grains = grains;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(s_tick);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await TickAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogTickFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        await _topics.Store.RefreshAsync(cancellationToken).ConfigureAwait(false);
        MetadataSnapshot metadata = _topics.Store.Current;
        if (!_scanned)
        {
            await SetAsideSupersededLogsAsync(metadata, cancellationToken).ConfigureAwait(false);
            _scanned = true;
        }

        foreach (IPartitionReader reader in _partitions.All())
        {
            IPartitionGrain grain = _topics.Partition(reader.Topic, reader.Partition);
            if (!metadata.TryGetTopic(reader.Topic, out TopicMetadata? topic) || reader.Partition >= topic.PartitionCount)
            {
                await grain.DeleteAsync().ConfigureAwait(false);
            }
            else if (!_cluster.LeadsLocally(topic, reader.Partition))
            {
                LogResigning(_logger, reader.Topic, reader.Partition, _cluster.LeaderOf(topic, reader.Partition));
                await grain.ResignAsync().ConfigureAwait(false);
                if (OffsetsTopic.IsInternal(reader.Topic))
                {
                    _offsets.Forget(reader.Partition);
                }
                else if (TransactionStateTopic.IsInternal(reader.Topic))
                {
                    _transactions.Forget(reader.Partition);
                }
            }
            else if (_configs.TryGetValue(topic.Name, out Grains.Topics.TopicConfig? seen) && !SameOverrides(seen, topic.Config))
            {
                await grain.ReloadConfigAsync().ConfigureAwait(false);
            }
        }

        _configs.Clear();
        foreach (TopicMetadata topic in metadata.Topics.Values)
        {
            _configs[topic.Name] = topic.Config;
        }

        if (metadata.TryGetTopic(OffsetsTopic.Name, out TopicMetadata? offsets))
        {
            for (int p = 0; p < offsets.PartitionCount; p++)
            {
                if (_cluster.LeadsLocally(offsets, p))
                {
                    _ = _offsets.EnsureLoadedAsync(p, cancellationToken);
                }
            }
        }

        if (metadata.TryGetTopic(TransactionStateTopic.Name, out TopicMetadata? transactions))
        {
            for (int p = 0; p < transactions.PartitionCount; p++)
            {
                if (_cluster.LeadsLocally(transactions, p))
                {
                    _ = _transactions.TakeOverAsync(p);
                }
            }
        }

        // Every second: the controller runs where Orleans put it; calling it from every silo keeps it activated.
        if (++_ticks % 2 == 0)
        {
            await _grains.GetGrain<IClusterControllerGrain>(0).CheckAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Once after the start: a silo that was away may hold partition logs another node has led since. Those hold
    /// records the new leader never had, at offsets it has not used (it started above them); they are set aside and
    /// reported rather than served. Logs of deleted topics are removed.
    /// </summary>
    private async Task SetAsideSupersededLogsAsync(MetadataSnapshot metadata, CancellationToken cancellationToken)
    {
        string logs = _broker.LogsPath;
        if (!Directory.Exists(logs))
        {
            return;
        }

        foreach (string topicFolder in Directory.EnumerateDirectories(logs))
        {
            if (!Guid.TryParseExact(Path.GetFileName(topicFolder), "N", out Guid topicId))
            {
                continue; // the stranded folder, or anything else that is not a topic
            }

            if (!metadata.TryGetTopic(topicId, out TopicMetadata? topic))
            {
                if (!_topics.TryGetTopic(topicId, out _)) // not created here since the snapshot was taken
                {
                    Directory.Delete(topicFolder, recursive: true);
                }

                continue;
            }

            foreach (string partitionFolder in Directory.EnumerateDirectories(topicFolder))
            {
                if (!int.TryParse(Path.GetFileName(partitionFolder), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int partition)
                    || partition >= topic.PartitionCount || _cluster.LeadsLocally(topic, partition))
                {
                    continue;
                }

                string lease = TierBlobNames.Lease(TierBlobNames.PartitionPrefix(topic.TopicId, partition));
                int claimant = await PartitionLease.LastClaimantAsync(_blobs, lease, cancellationToken).ConfigureAwait(false);
                if (claimant >= 0 && claimant != _cluster.LocalNode)
                {
                    _stranded.SetAside(topic, partition, partitionFolder, topic.Assignment(partition).Epoch, claimant);
                }
            }
        }
    }

    private static bool SameOverrides(Grains.Topics.TopicConfig a, Grains.Topics.TopicConfig b)
    {
        if (a.Overrides.Count != b.Overrides.Count)
        {
            return false;
        }

        foreach (KeyValuePair<string, string> entry in a.Overrides)
        {
            if (!b.Overrides.TryGetValue(entry.Key, out string? value) || value != entry.Value)
            {
                return false;
            }
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Topic}/{Partition}: node {Leader} leads it now; closing it here")]
    private static partial void LogResigning(ILogger logger, string topic, int partition, int leader);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciling with the cluster metadata failed; the next tick tries again")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);
}
