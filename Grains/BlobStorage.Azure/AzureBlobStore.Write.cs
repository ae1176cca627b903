using Azure;
using Azure.Storage;
using Azure.Storage.Blobs.Models;

namespace Runnel.Grains.BlobStorage.Azure;

/// <summary>
/// Writes: one Put Blob below <see cref="AzureBlobStoreOptions.SinglePutThresholdBytes"/>, otherwise Put Block per
/// <see cref="AzureBlobStoreOptions.BlockSizeBytes"/> and one Put Block List that commits them atomically under the
/// condition (the SDK applies it to the commit). Uncommitted blocks of a failed upload are discarded by the service.
/// </summary>
public sealed partial class AzureBlobStore
{
    public Task<string> PutAsync(string name, ReadOnlyMemory<byte> content, BlobCondition condition, CancellationToken cancellationToken) =>
        UploadAsync(name, BinaryData.FromBytes(content), null, condition, cancellationToken);

    /// <summary>The stream is read from its position to its end and not disposed; a seekable one is re-read on a retry.</summary>
    public Task<string> PutAsync(string name, Stream content, BlobCondition condition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        return UploadAsync(name, null, content, condition, cancellationToken);
    }

    private async Task<string> UploadAsync(string name, BinaryData? data, Stream? stream, BlobCondition condition, CancellationToken cancellationToken)
    {
        BlobName.Validate(name);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var blob = _container.GetBlobClient(name);
        var options = new BlobUploadOptions
        {
            Conditions = ConditionsOf(condition),
            TransferOptions = new StorageTransferOptions
            {
                InitialTransferSize = _options.SinglePutThresholdBytes,
                MaximumTransferSize = _options.BlockSizeBytes,

                // One block at a time, as a segment upload always was: memory per upload stays one block, and the
                // silo-wide upload concurrency (--tier-upload-concurrency) is the one knob for parallelism.
                MaximumConcurrency = 1,
            },
        };
        try
        {
            var response = data is not null
                ? await blob.UploadAsync(data, options, cancellationToken).ConfigureAwait(false)
                : await blob.UploadAsync(stream!, options, cancellationToken).ConfigureAwait(false);
            return Quoted(response.Value.ETag);
        }
        catch (RequestFailedException e) when (AzureErrors.IsConditionFailure(e) || (condition.Kind == BlobConditionKind.IfMatch && AzureErrors.IsBlobNotFound(e)))
        {
            // If-Match on a blob that does not exist answers 404 BlobNotFound on some service versions: the condition failed either way
            throw AzureErrors.ConditionFailed(name, condition, e);
        }
        catch (Exception e) when (AzureErrors.IsRequestFailure(e, cancellationToken))
        {
            throw Fail("put", name, e);
        }
    }

    private static BlobRequestConditions? ConditionsOf(BlobCondition condition) => condition.Kind switch
    {
        BlobConditionKind.IfNoneMatch => new BlobRequestConditions { IfNoneMatch = ETag.All },
        BlobConditionKind.IfMatch => new BlobRequestConditions { IfMatch = new ETag(condition.ETag!) },
        _ => null,
    };
}
