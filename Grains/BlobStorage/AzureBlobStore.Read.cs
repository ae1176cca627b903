using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Xml.Linq;

namespace Runnel.Grains.BlobStorage;

/// <summary>Reads: Get Blob (whole, or a range through x-ms-range), Get Blob Properties, List Blobs with NextMarker paging.</summary>
public sealed partial class AzureBlobStore
{
    public async Task<BlobContent?> GetAsync(string name, CancellationToken cancellationToken)
    {
        string uri = BlobUri(name);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        using var response = await _transport.SendAsync("get", name, () => new HttpRequestMessage(HttpMethod.Get, uri), 0, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            await FailAsync("get", name, response, cancellationToken).ConfigureAwait(false);
        }

        byte[] content = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return new BlobContent(content, ETagOf(response), response.Content.Headers.LastModified ?? DateTimeOffset.MinValue);
    }

    /// <summary>x-ms-range bytes=offset-(offset+length-1); the service answers 416 when offset is at or past the end, read here as 0 bytes.</summary>
    public async Task<int> GetRangeAsync(string name, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        string uri = BlobUri(name);
        if (destination.IsEmpty)
        {
            // a range cannot be empty in HTTP; still report an absent blob as the contract says
            return await GetPropertiesAsync(name, cancellationToken).ConfigureAwait(false) is null ? throw new BlobNotFoundException(name, 404, "BlobNotFound") : 0;
        }

        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        string range = string.Create(CultureInfo.InvariantCulture, $"bytes={offset}-{offset + destination.Length - 1}");
        using var response = await _transport.SendAsync("get_range", name, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.TryAddWithoutValidation("x-ms-range", range);
            return request;
        }, 0, cancellationToken).ConfigureAwait(false);
        switch ((int)response.StatusCode)
        {
            case 404:
                throw new BlobNotFoundException(name, 404, AzureErrors.ErrorCode(response));
            case 416:
                return 0;
            case 200 or 206:
                break;
            default:
                await FailAsync("get range", name, response, cancellationToken).ConfigureAwait(false);
                break;
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await body.ReadAtLeastAsync(destination, destination.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
    }

    public async Task<BlobProperties?> GetPropertiesAsync(string name, CancellationToken cancellationToken)
    {
        string uri = BlobUri(name);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        using var response = await _transport.SendAsync("get_properties", name, () => new HttpRequestMessage(HttpMethod.Head, uri), 0, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            await FailAsync("get properties", name, response, cancellationToken).ConfigureAwait(false);
        }

        return new BlobProperties(response.Content.Headers.ContentLength ?? 0, ETagOf(response), response.Content.Headers.LastModified ?? DateTimeOffset.MinValue);
    }

    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        BlobName.ValidatePrefix(prefix);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        string? marker = null;
        do
        {
            var query = new StringBuilder(_containerUri).Append("?restype=container&comp=list&maxresults=").Append(_options.ListPageSize.ToString(CultureInfo.InvariantCulture));
            if (prefix.Length > 0)
            {
                query.Append("&prefix=").Append(Uri.EscapeDataString(prefix));
            }

            if (marker is not null)
            {
                query.Append("&marker=").Append(Uri.EscapeDataString(marker));
            }

            string uri = query.ToString();
            XDocument page;
            using (var response = await _transport.SendAsync("list", prefix, () => new HttpRequestMessage(HttpMethod.Get, uri), 0, cancellationToken).ConfigureAwait(false))
            {
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    await FailAsync("list", prefix, response, cancellationToken).ConfigureAwait(false);
                }

                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                page = await XDocument.LoadAsync(body, LoadOptions.None, cancellationToken).ConfigureAwait(false);
            }

            var root = page.Root ?? throw new BlobStoreException("List Blobs answered an empty document.");
            foreach (var blob in root.Element("Blobs")?.Elements("Blob") ?? [])
            {
                yield return ParseListedBlob(blob);
            }

            marker = root.Element("NextMarker")?.Value;
        }
        while (!string.IsNullOrEmpty(marker));
    }

    /// <summary>A Blob element of EnumerationResults. Its Etag comes unquoted, unlike the ETag header: quoted here so the two compare equal.</summary>
    private static BlobItem ParseListedBlob(XElement blob)
    {
        string name = blob.Element("Name")?.Value ?? throw new BlobStoreException("List Blobs answered a Blob without a Name.");
        var properties = blob.Element("Properties");
        long size = long.Parse(properties?.Element("Content-Length")?.Value ?? "0", CultureInfo.InvariantCulture);
        string etag = properties?.Element("Etag")?.Value ?? string.Empty;
        if (!etag.StartsWith('"'))
        {
            etag = "\"" + etag + "\"";
        }

        var lastModified = DateTimeOffset.TryParse(properties?.Element("Last-Modified")?.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : DateTimeOffset.MinValue;
        return new BlobItem(name, size, etag, lastModified);
    }
}
