using System.Diagnostics;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging;

namespace Runnel.Grains.BlobStorage.Azure;

/// <summary>
/// Sits inside the SDK's retry loop, so it sees every HTTP attempt (each one is billed): records it as one
/// <c>runnel.blob.requests</c> measurement with its bytes and duration, and logs (at Debug) the attempts that
/// failed transiently, which the SDK retries silently.
/// </summary>
/// <remarks>
/// The operation tag comes from the request's shape (verb, comp/restype query, range header), not from the caller:
/// the SDK itself splits one upload into Put Block and Put Block List and re-reads a broken download by range.
/// </remarks>
internal sealed class BlobRequestMetricsPolicy : HttpPipelinePolicy
{
    private readonly BlobStoreMetrics _metrics;
    private readonly ILogger _logger;
    private readonly int _maxRetries;

    public BlobRequestMetricsPolicy(BlobStoreMetrics metrics, ILogger logger, int maxRetries)
    {
        _metrics = metrics;
        _logger = logger;
        _maxRetries = maxRetries;
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            RecordFailure(message, start, e);
            throw;
        }

        RecordResponse(message, start);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            ProcessNext(message, pipeline);
        }
        catch (Exception e)
        {
            RecordFailure(message, start, e);
            throw;
        }

        RecordResponse(message, start);
    }

    /// <summary>The operation names of the previous REST client, so dashboards keep working.</summary>
    internal static string OperationOf(global::Azure.Core.Request request)
    {
        string query = request.Uri.Query;
        bool container = query.Contains("restype=container", StringComparison.Ordinal);
        string method = request.Method.Method;
        return method switch
        {
            "PUT" when container => "create_container",
            "PUT" when query.Contains("comp=blocklist", StringComparison.Ordinal) => "put_block_list",
            "PUT" when query.Contains("comp=block", StringComparison.Ordinal) => "put_block",
            "PUT" => "put",
            "GET" when container => "list",
            "GET" when request.Headers.Contains("x-ms-range") || request.Headers.Contains("Range") => "get_range",
            "GET" => "get",
            "HEAD" => "get_properties",
            "DELETE" when container => "delete_container",
            "DELETE" => "delete",
            _ => method.ToLowerInvariant(),
        };
    }

    private void RecordResponse(HttpMessage message, long start)
    {
        var response = message.Response;
        int status = response.Status;
        bool ok = status is >= 200 and < 300;
        string operation = OperationOf(message.Request);
        long sent = ok && message.Request.Content is { } content && content.TryComputeLength(out long length) ? length : 0;
        long received = ok && message.Request.Method != RequestMethod.Head ? response.Headers.ContentLengthLong ?? 0 : 0;
        string statusTag = IsConditionFailure(status, response.Headers.TryGetValue("x-ms-error-code", out string? code) ? code : null)
            ? "condition_failed"
            : BlobStoreMetrics.StatusOf(status);
        _metrics.RecordRequest(operation, statusTag, start, sent, received);
        if (status is 408 or 429 or 500 or 502 or 503 or 504)
        {
            AzureBlobStorageLog.AttemptFailed(_logger, operation, message.Request.Uri.Path, $"HTTP {status}", message.ProcessingContext.RetryNumber + 1, _maxRetries + 1);
        }
    }

    private void RecordFailure(HttpMessage message, long start, Exception e)
    {
        string operation = OperationOf(message.Request);
        bool canceled = e is OperationCanceledException && message.CancellationToken.IsCancellationRequested;
        _metrics.RecordRequest(operation, canceled ? "canceled" : "network_error", start, 0, 0);
        if (!canceled)
        {
            AzureBlobStorageLog.AttemptFailed(_logger, operation, message.Request.Uri.Path, e.Message, message.ProcessingContext.RetryNumber + 1, _maxRetries + 1);
        }
    }

    /// <summary>412, or 409 BlobAlreadyExists: what a create-only Put answers when the blob exists.</summary>
    internal static bool IsConditionFailure(int status, string? errorCode) =>
        status == 412 || (status == 409 && errorCode == "BlobAlreadyExists");
}
