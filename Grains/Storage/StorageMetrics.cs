using System.Diagnostics;
using System.Diagnostics.Metrics;
using Runnel.Grains.BlobStorage;

namespace Runnel.Grains.Storage;

/// <summary>
/// The tiered log's instruments, on the meter "Runnel.Storage": bytes and segments per tier, upload lag, uploads,
/// manifest conflicts, evictions and cold reads. Tier tag values: "hot" (in memory), "local" (a local segment
/// file), "remote" (the blob tier); a segment counts in every tier that holds it.
/// </summary>
public sealed class StorageMetrics : IDisposable
{
    public const string MeterName = "Runnel.Storage";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<double> _coldReadDuration;
    private readonly Counter<long> _coldReads;
    private readonly Counter<long> _coldReadBytes;
    private readonly Counter<long> _uploads;
    private readonly Counter<long> _uploadBytes;
    private long _manifestConflicts;
    private long _housekeepingTicks;
    private readonly Counter<long> _remoteDeletes;

    /// <param name="meterFactory">The host's factory (DI); null creates a meter of our own, disposed with this object.</param>
    public StorageMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);
        _coldReadDuration = _meter.CreateHistogram("runnel.log.cold_read.duration", "s", "Latency of one ranged read of a segment not in memory, by tier (local file or remote blob).", tags: null, BlobStoreMetrics.DurationAdvice);
        _coldReads = _meter.CreateCounter<long>("runnel.log.cold_reads", "{read}", "Ranged reads of segments not in memory, by tier.");
        _coldReadBytes = _meter.CreateCounter<long>("runnel.log.cold_read.bytes", "By", "Bytes read from segments not in memory, by tier.");
        _uploads = _meter.CreateCounter<long>("runnel.log.tier.uploads", "{segment}", "Segments uploaded to the blob tier and listed in their manifest.");
        _uploadBytes = _meter.CreateCounter<long>("runnel.log.tier.upload.bytes", "By", "Segment bytes uploaded to the blob tier.");
        // Observed, so the series is there at 0 from start-up: a conflict is rare, and an alert on its rate needs
        // the zero before the first one.
        _meter.CreateObservableCounter("runnel.log.tier.manifest.conflicts", () => Volatile.Read(ref _manifestConflicts), "{write}", "Manifest writes whose ETag condition failed (re-read and reconciled).");
        // Ticks run only for partitions with work (unflushed data, a segment to seal, tier or expire), so an idle
        // silo's rate of this counter is near zero whatever its partition count.
        _meter.CreateObservableCounter("runnel.log.housekeeping.ticks", () => Volatile.Read(ref _housekeepingTicks), "{tick}", "Housekeeping turns of partition grains (flush, segment.ms roll, retention, tiering kick).");
        _remoteDeletes = _meter.CreateCounter<long>("runnel.log.tier.deleted", "{blob}", "Blobs deleted by retention and the orphan cleaner, by reason.");
    }

    /// <summary>Records one cold read; <paramref name="startTimestamp"/> is from <see cref="Stopwatch.GetTimestamp"/>.</summary>
    public void ColdRead(string tier, long startTimestamp, long bytes)
    {
        var tag = new KeyValuePair<string, object?>("tier", tier);
        _coldReadDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tag);
        _coldReads.Add(1, tag);
        _coldReadBytes.Add(bytes, tag);
    }

    public void Uploaded(long bytes)
    {
        _uploads.Add(1);
        _uploadBytes.Add(bytes);
    }

    public void HousekeepingTick() => Interlocked.Increment(ref _housekeepingTicks);

    /// <summary>Housekeeping turns so far, over every partition of the silo.</summary>
    public long HousekeepingTicks => Volatile.Read(ref _housekeepingTicks);

    public void ManifestConflict() => Interlocked.Increment(ref _manifestConflicts);

    public void BlobDeleted(string reason) => _remoteDeletes.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Publishes the per-tier gauges, computed at each collection by <paramref name="totals"/>.</summary>
    public void ObserveTiers(Func<TierTotals> totals, SegmentCache? cache)
    {
        ArgumentNullException.ThrowIfNull(totals);
        _meter.CreateObservableGauge("runnel.log.tier.bytes", () => PerTier(totals(), bytes: true), "By", "Segment bytes per tier (hot = in memory, local = local files, remote = blob tier).");
        _meter.CreateObservableGauge("runnel.log.tier.segments", () => PerTier(totals(), bytes: false), "{segment}", "Segments per tier.");
        _meter.CreateObservableGauge("runnel.log.tier.upload_lag.segments", () => totals().LagSegments, "{segment}", "Sealed segments not yet in the blob tier.");
        _meter.CreateObservableGauge("runnel.log.tier.upload_lag.bytes", () => totals().LagBytes, "By", "Bytes of sealed segments not yet in the blob tier.");
        if (cache is not null)
        {
            _meter.CreateObservableGauge("runnel.log.cache.budget", () => cache.BudgetBytes, "By", "The hot cache's memory budget.");
            _meter.CreateObservableCounter("runnel.log.cache.evictions", () => cache.Evictions, "{segment}", "Sealed segments evicted from memory.");
        }
    }

    private static Measurement<long>[] PerTier(TierTotals t, bool bytes) =>
    [
        new(bytes ? t.HotBytes : t.HotSegments, new KeyValuePair<string, object?>("tier", "hot")),
        new(bytes ? t.LocalBytes : t.LocalSegments, new KeyValuePair<string, object?>("tier", "local")),
        new(bytes ? t.RemoteBytes : t.RemoteSegments, new KeyValuePair<string, object?>("tier", "remote")),
    ];

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
