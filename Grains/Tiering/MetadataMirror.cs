using Microsoft.Extensions.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.Metadata;
using Runnel.Grains.Storage;

namespace Runnel.Grains.Tiering;

/// <summary>
/// Keeps a copy of the topic metadata file (names, ids, partition counts, configs, cluster id) in the blob store,
/// and puts it back into an empty data folder at start. Blob names use topic ids, so restoring the same ids is
/// what lets a new silo find every partition's manifest: a silo started on an empty folder with the same
/// container serves the whole history at the same offsets.
/// </summary>
/// <remarks>
/// Mirrored before a partition's first upload and every <see cref="TieringOptions.MetadataMirrorInterval"/> after a
/// change. One writer per container is assumed (one silo); a cluster keeps its metadata in the blob store itself.
/// </remarks>
public sealed class MetadataMirror : BackgroundService
{
    private readonly IBlobStore _store;
    private readonly string _path;
    private readonly TieringOptions _options;
    private readonly ILogger<MetadataMirror> _logger;
    // Never disposed: the host may dispose this service while a pass still holds the gate (a failed start), and a
    // SemaphoreSlim whose wait handle is never asked for holds nothing that needs it.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[]? _mirrored;

    public MetadataMirror(IBlobStore store, IOptions<BrokerOptions> settings, TieringOptions options, ILogger<MetadataMirror> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _store = store;
        _path = Path.Combine(settings.Value.DataPath, ClusterMetadataStore.FileName);
        _options = options;
        _logger = logger;
    }

    /// <summary>
    /// Before the metadata store opens: when the data folder has no metadata file and the blob store has a copy,
    /// writes the copy into the folder. Returns whether it did.
    /// </summary>
    public async Task<bool> RestoreIfMissingAsync(CancellationToken cancellationToken)
    {
        if (File.Exists(_path))
        {
            return false;
        }

        BlobContent? copy = await _store.GetAsync(TierBlobNames.ClusterMetadata, cancellationToken).ConfigureAwait(false);
        if (copy is null)
        {
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        DurableFile.WriteAtomically(_path, copy.Content.Span);
        _mirrored = copy.Content.ToArray();
        TieringLog.MetadataRestored(_logger, TierBlobNames.ClusterMetadata);
        return true;
    }

    /// <summary>Uploads the metadata file if it changed since the last upload.</summary>
    public async Task EnsureMirroredAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!File.Exists(_path))
            {
                return;
            }

            byte[] current = await File.ReadAllBytesAsync(_path, cancellationToken).ConfigureAwait(false);
            if (_mirrored is not null && current.AsSpan().SequenceEqual(_mirrored))
            {
                return;
            }

            await _store.PutAsync(TierBlobNames.ClusterMetadata, current, BlobCondition.None, cancellationToken).ConfigureAwait(false);
            _mirrored = current;
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.MetadataMirrorInterval);
        do
        {
            try
            {
                await EnsureMirroredAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or BlobStoreException)
            {
                TieringLog.MirrorFailed(_logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
