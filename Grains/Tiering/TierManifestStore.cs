using Microsoft.Extensions.Logging;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.Storage;

namespace Runnel.Grains.Tiering;

/// <summary>
/// Reads and writes one partition's manifest with compare-and-swap: every write is conditioned on the ETag last
/// read or written (If-None-Match for the first). A failed condition means someone else wrote, or that our own
/// earlier attempt succeeded but its response was lost and the retry lost the race to itself; either way the
/// manifest is re-read and the change re-applied to what is there, and a change already present is a no-op.
/// </summary>
internal sealed class TierManifestStore
{
    private const int MaxAttempts = 8;

    private readonly IBlobStore _store;
    private readonly StorageMetrics _metrics;
    private readonly ILogger _logger;
    private string? _etag;

    public TierManifestStore(IBlobStore store, string name, StorageMetrics metrics, ILogger logger)
    {
        _store = store;
        Name = name;
        _metrics = metrics;
        _logger = logger;
    }

    public string Name { get; }

    /// <summary>The manifest as last read or written; null when there is none yet.</summary>
    public TierManifest? Current { get; private set; }

    public async Task<TierManifest?> LoadAsync(CancellationToken cancellationToken)
    {
        BlobContent? content = await _store.GetAsync(Name, cancellationToken).ConfigureAwait(false);
        Current = content is null ? null : TierManifest.Parse(content.Content.Span);
        _etag = content?.ETag;
        return Current;
    }

    /// <summary>
    /// Applies <paramref name="change"/> to a copy of the current manifest (or to <paramref name="create"/>'s when
    /// there is none) and writes it conditionally, re-reading and re-applying after a condition failure. The change
    /// returns false when there is nothing to write. Returns the manifest as stored afterwards.
    /// </summary>
    public async Task<TierManifest?> CommitAsync(Func<TierManifest, bool> change, Func<TierManifest> create, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            TierManifest draft = Current?.Copy() ?? create();
            if (!change(draft))
            {
                return Current;
            }

            BlobCondition condition = _etag is null ? BlobCondition.IfNoneMatch : BlobCondition.IfMatch(_etag);
            try
            {
                _etag = await _store.PutAsync(Name, draft.ToJson(), condition, cancellationToken).ConfigureAwait(false);
                Current = draft;
                return draft;
            }
            catch (BlobConditionFailedException) when (attempt < MaxAttempts)
            {
                _metrics.ManifestConflict();
                TieringLog.ManifestConflict(_logger, Name);
                await LoadAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
