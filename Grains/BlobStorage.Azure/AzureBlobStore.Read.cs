using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs.Models;

namespace Runnel.Grains.BlobStorage.Azure;

/// <summary>Reads: Get Blob (whole, or a range), Get Blob Properties, List Blobs page by page.</summary>
public sealed partial class AzureBlobStore
{
    public async Task<BlobContent?> GetAsync(string name, CancellationToken cancellationToken)
    {
        BlobName.Validate(name);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            BlobDownloadResult result = (await _container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
            return new BlobContent(result.Content.ToMemory(), Quoted(result.Details.ETag), result.Details.LastModified);
        }
        catch (RequestFailedException e) when (AzureErrors.IsBlobNotFound(e))
        {
            return null;
        }
        catch (Exception e) when (AzureErrors.IsRequestFailure(e, cancellationToken))
        {
            throw Fail("get", name, e);
        }
    }

    /// <summary>A ranged Get Blob; the service answers 416 when the offset is at or past the end, read here as 0 bytes.</summary>
    public async Task<int> GetRangeAsync(string name, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        BlobName.Validate(name);
        if (destination.IsEmpty)
        {
            // a range cannot be empty in HTTP; still report an absent blob as the contract says
            return await GetPropertiesAsync(name, cancellationToken).ConfigureAwait(false) is null ? throw new BlobNotFoundException(name, 404, AzureErrors.BlobNotFound) : 0;
        }

        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var options = new BlobDownloadOptions { Range = new HttpRange(offset, destination.Length) };
            using BlobDownloadStreamingResult result = (await _container.GetBlobClient(name).DownloadStreamingAsync(options, cancellationToken).ConfigureAwait(false)).Value;
            return await result.Content.ReadAtLeastAsync(destination, destination.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (AzureErrors.IsBlobNotFound(e))
        {
            throw new BlobNotFoundException(name, 404, e.ErrorCode);
        }
        catch (RequestFailedException e) when (e.Status == 416)
        {
            return 0;
        }
        catch (Exception e) when (AzureErrors.IsRequestFailure(e, cancellationToken))
        {
            throw Fail("get range", name, e);
        }
    }

    public async Task<BlobProperties?> GetPropertiesAsync(string name, CancellationToken cancellationToken)
    {
        BlobName.Validate(name);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var properties = (await _container.GetBlobClient(name).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            return new BlobProperties(properties.ContentLength, Quoted(properties.ETag), properties.LastModified);
        }
        catch (RequestFailedException e) when (AzureErrors.IsBlobNotFound(e))
        {
            return null;
        }
        catch (Exception e) when (AzureErrors.IsRequestFailure(e, cancellationToken))
        {
            throw Fail("get properties", name, e);
        }
    }

    /// <summary>Pages of <see cref="AzureBlobStoreOptions.ListPageSize"/>; the service lists in name order (ordinal for our names).</summary>
    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        BlobName.ValidatePrefix(prefix);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var listing = _container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix.Length == 0 ? null : prefix }, cancellationToken)
            .AsPages(pageSizeHint: _options.ListPageSize);
        await using var pages = listing.GetAsyncEnumerator(cancellationToken);
        while (await NextPageAsync(pages, prefix, cancellationToken).ConfigureAwait(false))
        {
            foreach (var blob in pages.Current.Values)
            {
                yield return new BlobItem(blob.Name, blob.Properties.ContentLength ?? 0, Quoted(blob.Properties.ETag ?? default), blob.Properties.LastModified ?? DateTimeOffset.MinValue);
            }
        }
    }

    private async Task<bool> NextPageAsync(IAsyncEnumerator<Page<global::Azure.Storage.Blobs.Models.BlobItem>> pages, string prefix, CancellationToken cancellationToken)
    {
        try
        {
            return await pages.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (AzureErrors.IsRequestFailure(e, cancellationToken))
        {
            throw Fail("list", prefix, e);
        }
    }
}
