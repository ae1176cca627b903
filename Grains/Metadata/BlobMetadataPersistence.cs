using System.Text.Json;
using Runnel.Grains.BlobStorage;

namespace Runnel.Grains.Metadata;

/// <summary>
/// The metadata of a cluster in one blob every silo shares; its ETag is the version, and every save is a
/// conditional put (If-None-Match for the first, If-Match after), so concurrent writers on different silos are
/// serialized by the store.
/// </summary>
internal sealed class BlobMetadataPersistence : IMetadataPersistence
{
    public const string BlobName = "cluster/metadata.json";

    private readonly IBlobStore _store;

    public BlobMetadataPersistence(IBlobStore store) => _store = store;

    public async Task<StoredMetadata?> LoadAsync(CancellationToken cancellationToken)
    {
        BlobContent? blob = await _store.GetAsync(BlobName, cancellationToken).ConfigureAwait(false);
        return blob is null ? null : new StoredMetadata(MetadataCodec.Decode(blob.Content.Span, $"The cluster metadata blob '{BlobName}'"), blob.ETag);
    }

    public async Task<string?> VersionAsync(CancellationToken cancellationToken) =>
        (await _store.GetPropertiesAsync(BlobName, cancellationToken).ConfigureAwait(false))?.ETag;

    public async Task<string> SaveAsync(MetadataDocument document, string? expectedVersion, CancellationToken cancellationToken)
    {
        byte[] content = JsonSerializer.SerializeToUtf8Bytes(document, MetadataJsonContext.Default.MetadataDocument);
        BlobCondition condition = expectedVersion is null ? BlobCondition.IfNoneMatch : BlobCondition.IfMatch(expectedVersion);
        try
        {
            return await _store.PutAsync(BlobName, content, condition, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobConditionFailedException e)
        {
            throw new MetadataConflictException($"The cluster metadata blob changed since version {expectedVersion ?? "(none)"}.", e);
        }
    }
}
