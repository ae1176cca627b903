using System.Text.Json;
using Runnel.Grains.Storage;

namespace Runnel.Grains.Metadata;

/// <summary>
/// The metadata of one silo in a file of its data folder, replaced atomically (temporary file, fsync, rename). The
/// silo is its only writer, so the version is a counter of this process's saves.
/// </summary>
internal sealed class FileMetadataPersistence : IMetadataPersistence
{
    private readonly string _path;
    private readonly Lock _lock = new();
    private long _version;

    public FileMetadataPersistence(string path) => _path = path;

    public Task<StoredMetadata?> LoadAsync(CancellationToken cancellationToken)
    {
        File.Delete(_path + DurableFile.TemporarySuffix); // an interrupted write; the previous file is intact
        if (!File.Exists(_path))
        {
            return Task.FromResult<StoredMetadata?>(null);
        }

        MetadataDocument document = MetadataCodec.Decode(File.ReadAllBytes(_path), $"The cluster metadata file '{_path}'");
        lock (_lock)
        {
            return Task.FromResult<StoredMetadata?>(new StoredMetadata(document, Version()));
        }
    }

    public Task<string?> VersionAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<string?>(File.Exists(_path) ? Version() : null);
        }
    }

    public Task<string> SaveAsync(MetadataDocument document, string? expectedVersion, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            string? current = File.Exists(_path) ? Version() : null;
            if (!string.Equals(current, expectedVersion, StringComparison.Ordinal))
            {
                throw new MetadataConflictException($"The metadata file changed since version {expectedVersion}.");
            }

            DurableFile.WriteAtomically(_path, JsonSerializer.SerializeToUtf8Bytes(document, MetadataJsonContext.Default.MetadataDocument));
            _version++;
            return Task.FromResult(Version());
        }
    }

    private string Version() => _version.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
