using Microsoft.Extensions.Logging;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.Storage;

namespace Runnel.Grains.Tiering;

/// <summary>
/// Deletes a partition's blobs that its manifest does not reference: uploads whose manifest commit never happened
/// (a crash between the two), segments replaced or unlisted whose delete failed. Only blobs older than the grace
/// period go, so an upload whose commit is merely late is never mistaken for garbage. The manifest is re-read
/// first: what it references is decided by the store, not by this silo's memory.
/// </summary>
internal sealed class OrphanBlobCleaner
{
    private readonly IBlobStore _store;
    private readonly TimeProvider _time;
    private readonly StorageMetrics _metrics;
    private readonly ILogger _logger;

    public OrphanBlobCleaner(IBlobStore store, TimeProvider time, StorageMetrics metrics, ILogger logger)
    {
        _store = store;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Returns the number of blobs deleted under <paramref name="prefix"/>.</summary>
    public async Task<int> CleanAsync(string prefix, TierManifestStore manifest, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        TierManifest? current = await manifest.LoadAsync(cancellationToken).ConfigureAwait(false);
        DateTimeOffset cutoff = _time.GetUtcNow() - gracePeriod;
        var orphans = new List<string>();
        await foreach (BlobItem item in _store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            // Only segment objects can be orphans; the manifest and the leader lease beside them are not the manifest's to list.
            bool segmentObject = item.Name.EndsWith(".log", StringComparison.Ordinal) || item.Name.EndsWith(".index", StringComparison.Ordinal);
            if (segmentObject && item.LastModified < cutoff && current?.References(item.Name) != true)
            {
                orphans.Add(item.Name);
            }
        }

        int deleted = 0;
        foreach (string name in orphans)
        {
            if (await TryDeleteAsync(name, "orphan", cancellationToken).ConfigureAwait(false))
            {
                TieringLog.OrphanDeleted(_logger, name);
                deleted++;
            }
        }

        return deleted;
    }

    /// <summary>Best-effort delete; a failure is logged and left to a later cleaner pass.</summary>
    public async Task<bool> TryDeleteAsync(string name, string reason, CancellationToken cancellationToken)
    {
        try
        {
            bool existed = await _store.DeleteAsync(name, ifMatch: null, cancellationToken).ConfigureAwait(false);
            if (existed)
            {
                _metrics.BlobDeleted(reason);
            }

            return existed;
        }
        catch (BlobStoreException e)
        {
            TieringLog.DeleteFailed(_logger, name, e);
            return false;
        }
    }
}
