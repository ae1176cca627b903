using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.Metadata;
using Runnel.Grains.Storage;

namespace Runnel.Grains.Tiering;

/// <summary>
/// The silo's tiered storage: the blob store, the hot cache, the upload concurrency limit, the metrics, and the
/// per-partition tiering workers that partition grains create. One per silo. Its one timer sweeps what is
/// silo-wide or filled outside partition turns (the hot-cache budget, cold-read blocks that reads load), so an idle
/// partition needs no timer of its own for them.
/// </summary>
public sealed class TieredStorage : IDisposable
{
    private readonly ConcurrentDictionary<PartitionLog, byte> _logs = new();
    private readonly SemaphoreSlim _uploads;
    private readonly ILoggerFactory _loggerFactory;
    private readonly RemoteSegmentReader _remote;
    private readonly TimeProvider _time;
    private readonly ITimer _sweep;

    public TieredStorage(IBlobStore store, TieringOptions options, SegmentCache cache, StorageMetrics metrics, MetadataMirror mirror, ILoggerFactory loggerFactory, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Store = store;
        Options = options;
        Cache = cache;
        Metrics = metrics;
        Mirror = mirror;
        _loggerFactory = loggerFactory;
        _time = time ?? TimeProvider.System;
        _uploads = new SemaphoreSlim(options.UploadConcurrency, options.UploadConcurrency);
        _remote = new RemoteSegmentReader(store);
        Uploader = new SegmentUploader(store, _uploads, _time);
        Cleaner = new OrphanBlobCleaner(store, _time, metrics, loggerFactory.CreateLogger<OrphanBlobCleaner>());
        metrics.ObserveTiers(Totals, cache);
        _sweep = _time.CreateTimer(static state => ((TieredStorage)state!).Sweep(), this, options.Interval, options.Interval);
    }

    public IBlobStore Store { get; }

    public TieringOptions Options { get; }

    public SegmentCache Cache { get; }

    public StorageMetrics Metrics { get; }

    public MetadataMirror Mirror { get; }

    internal SegmentUploader Uploader { get; }

    internal OrphanBlobCleaner Cleaner { get; }

    /// <summary>A tiering worker for one partition; load its manifest, open the log with the context, then attach it.</summary>
    public PartitionTiering CreatePartition(TopicMetadata topic, int partition) =>
        new(this, topic, partition, _loggerFactory.CreateLogger<PartitionTiering>());

    /// <summary>What a log opens with: the cache, the blob tier's reader, and the manifest's segments and log start.</summary>
    public LogTierContext ContextFor(TierManifest? manifest) => new()
    {
        Cache = Cache,
        Remote = _remote,
        Metrics = Metrics,
        ColdReadBlockBytes = Options.ColdReadBlockBytes,
        RemoteSegments = manifest?.ToRemoteSegments() ?? [],
        RemoteLogStartOffset = manifest?.LogStartOffset ?? 0,
    };

    /// <summary>Counts the log in the tier metrics while it is open.</summary>
    public void Track(PartitionLog log) => _logs.TryAdd(log, 0);

    public void Untrack(PartitionLog log) => _logs.TryRemove(log, out _);

    /// <summary>Bytes and segments per tier and the upload lag over every open log.</summary>
    public TierTotals Totals()
    {
        var totals = default(TierTotals);
        foreach (PartitionLog log in _logs.Keys)
        {
            totals = totals.Add(log.GetTierTotals());
        }

        return totals;
    }

    /// <summary>
    /// Drops cold-read blocks no read used lately, in every open log, and keeps the hot cache within its budget. Both
    /// are safe beside appends and reads (their own locks); a tick costs one pass over the open logs.
    /// </summary>
    public int Sweep()
    {
        int dropped = 0;
        foreach (PartitionLog log in _logs.Keys)
        {
            if (log.ColdBlockCount > 0)
            {
                dropped += log.DropIdleColdBlocks();
            }
        }

        Cache.EvictIfOverBudget();
        return dropped;
    }

    /// <summary>A deleted topic's partition: every blob under its prefix goes, in the background.</summary>
    public void DeletePartitionInBackground(Guid topicId, int partition)
    {
        string prefix = TierBlobNames.PartitionPrefix(topicId, partition);
        _ = Task.Run(async () =>
        {
            var names = new List<string>();
            try
            {
                await foreach (BlobItem item in Store.ListAsync(prefix, CancellationToken.None).ConfigureAwait(false))
                {
                    names.Add(item.Name);
                }
            }
            catch (BlobStoreException)
            {
                return; // what stays is unreferenced by any topic; a later delete of the topic's prefix can take it
            }

            foreach (string name in names)
            {
                await Cleaner.TryDeleteAsync(name, "topic_deleted", CancellationToken.None).ConfigureAwait(false);
            }
        });
    }

    public void Dispose()
    {
        _sweep.Dispose();
        _uploads.Dispose();
    }
}
