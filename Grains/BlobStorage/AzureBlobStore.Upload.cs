using System.Buffers;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Runnel.Grains.BlobStorage;

/// <summary>
/// Writes: one Put Blob up to <see cref="BlobStoreOptions.SinglePutThresholdBytes"/>, otherwise Put Block per
/// <see cref="BlobStoreOptions.BlockSizeBytes"/> and one Put Block List that commits them atomically under the
/// condition. Uncommitted blocks of a failed upload are discarded by the service (after a week at most).
/// </summary>
public sealed partial class AzureBlobStore
{
    public async Task<string> PutAsync(string name, ReadOnlyMemory<byte> content, BlobCondition condition, CancellationToken cancellationToken)
    {
        string uri = BlobUri(name);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        if (content.Length <= _options.SinglePutThresholdBytes)
        {
            return await PutBlobAsync(name, uri, content, condition, cancellationToken).ConfigureAwait(false);
        }

        var blockIds = new List<string>();
        string uploadId = NewUploadId();
        for (int offset = 0; offset < content.Length; offset += _options.BlockSizeBytes)
        {
            var block = content.Slice(offset, Math.Min(_options.BlockSizeBytes, content.Length - offset));
            blockIds.Add(await PutBlockAsync(name, uri, uploadId, blockIds.Count, block, cancellationToken).ConfigureAwait(false));
        }

        return await PutBlockListAsync(name, uri, blockIds, condition, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads up to the threshold first: a stream that ends by then goes up in one Put Blob; otherwise what was
    /// read and the rest of the stream go up in blocks, one block buffer at a time.
    /// </summary>
    public async Task<string> PutAsync(string name, Stream content, BlobCondition condition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        string uri = BlobUri(name);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        byte[] head = ArrayPool<byte>.Shared.Rent(_options.SinglePutThresholdBytes + 1);
        byte[]? block = null;
        try
        {
            int headLength = await content.ReadAtLeastAsync(head.AsMemory(0, _options.SinglePutThresholdBytes + 1), _options.SinglePutThresholdBytes + 1, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (headLength <= _options.SinglePutThresholdBytes)
            {
                return await PutBlobAsync(name, uri, head.AsMemory(0, headLength), condition, cancellationToken).ConfigureAwait(false);
            }

            block = ArrayPool<byte>.Shared.Rent(_options.BlockSizeBytes);
            var blockIds = new List<string>();
            string uploadId = NewUploadId();
            int headConsumed = 0;
            while (true)
            {
                int filled = 0;
                while (filled < _options.BlockSizeBytes)
                {
                    if (headConsumed < headLength)
                    {
                        int take = Math.Min(headLength - headConsumed, _options.BlockSizeBytes - filled);
                        head.AsSpan(headConsumed, take).CopyTo(block.AsSpan(filled));
                        headConsumed += take;
                        filled += take;
                        continue;
                    }

                    int read = await content.ReadAsync(block.AsMemory(filled, _options.BlockSizeBytes - filled), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    filled += read;
                }

                if (filled == 0)
                {
                    break;
                }

                blockIds.Add(await PutBlockAsync(name, uri, uploadId, blockIds.Count, block.AsMemory(0, filled), cancellationToken).ConfigureAwait(false));
                if (filled < _options.BlockSizeBytes)
                {
                    break;
                }
            }

            return await PutBlockListAsync(name, uri, blockIds, condition, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(head);
            if (block is not null)
            {
                ArrayPool<byte>.Shared.Return(block);
            }
        }
    }

    private async Task<string> PutBlobAsync(string name, string uri, ReadOnlyMemory<byte> content, BlobCondition condition, CancellationToken cancellationToken)
    {
        using var response = await _transport.SendAsync("put", name, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, uri) { Content = new ReadOnlyMemoryContent(content) };
            request.Headers.TryAddWithoutValidation("x-ms-blob-type", "BlockBlob");
            AddCondition(request, condition);
            return request;
        }, content.Length, cancellationToken).ConfigureAwait(false);
        return await CommittedETagAsync("put", name, condition, response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> PutBlockAsync(string name, string uri, string uploadId, int index, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        // every id of a blob must have the same length: a fixed-width index after the upload's own random id,
        // which keeps the uncommitted blocks of two concurrent uploads of the same name apart
        string blockId = Convert.ToBase64String(Encoding.ASCII.GetBytes(uploadId + index.ToString("D6", CultureInfo.InvariantCulture)));
        string blockUri = uri + "?comp=block&blockid=" + Uri.EscapeDataString(blockId);
        using var response = await _transport.SendAsync("put_block", name,
            () => new HttpRequestMessage(HttpMethod.Put, blockUri) { Content = new ReadOnlyMemoryContent(block) },
            block.Length, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            await FailAsync("put block", name, response, cancellationToken).ConfigureAwait(false);
        }

        return blockId;
    }

    private async Task<string> PutBlockListAsync(string name, string uri, List<string> blockIds, BlobCondition condition, CancellationToken cancellationToken)
    {
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        foreach (var id in blockIds)
        {
            xml.Append("<Latest>").Append(id).Append("</Latest>"); // base64 needs no XML escaping
        }

        byte[] body = Encoding.UTF8.GetBytes(xml.Append("</BlockList>").ToString());
        using var response = await _transport.SendAsync("put_block_list", name, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, uri + "?comp=blocklist") { Content = new ByteArrayContent(body) };
            AddCondition(request, condition);
            return request;
        }, body.Length, cancellationToken).ConfigureAwait(false);
        return await CommittedETagAsync("put block list", name, condition, response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> CommittedETagAsync(string operation, string name, BlobCondition condition, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // If-Match on a blob that does not exist answers 404 on some service versions: the condition failed either way
        if (AzureErrors.IsConditionFailure(response) || (condition.Kind == BlobConditionKind.IfMatch && response.StatusCode == HttpStatusCode.NotFound && AzureErrors.ErrorCode(response) == "BlobNotFound"))
        {
            AzureErrors.ThrowConditionFailed(name, condition, response);
        }

        if (response.StatusCode != HttpStatusCode.Created)
        {
            await FailAsync(operation, name, response, cancellationToken).ConfigureAwait(false);
        }

        return ETagOf(response);
    }

    private static void AddCondition(HttpRequestMessage request, BlobCondition condition)
    {
        switch (condition.Kind)
        {
            case BlobConditionKind.IfMatch:
                request.Headers.TryAddWithoutValidation("If-Match", condition.ETag);
                break;
            case BlobConditionKind.IfNoneMatch:
                request.Headers.TryAddWithoutValidation("If-None-Match", "*");
                break;
        }
    }

    private static string ETagOf(HttpResponseMessage response) =>
        response.Headers.NonValidated.TryGetValues("ETag", out var values) ? string.Join(',', values)
            : throw new BlobStoreException("The blob service answered without an ETag.");

    private static string NewUploadId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}
