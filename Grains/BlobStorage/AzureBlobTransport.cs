using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Runnel.Grains.BlobStorage;

/// <summary>
/// Sends one logical Blob service request: stamps x-ms-date and x-ms-version, signs it with Shared Key, sends
/// it with a per-attempt timeout, and retries transient failures (<see cref="RetryBackoff"/>), building a
/// fresh request for every attempt. Each attempt is one <c>runnel.blob.requests</c> measurement.
/// </summary>
/// <remarks>
/// A retried write may have succeeded the first time with its response lost; with a condition, the retry then
/// reports <see cref="BlobConditionFailedException"/> although this writer won. Callers of conditional writes
/// re-read after a condition failure, which resolves it (the manifest compare-and-swap does).
/// </remarks>
internal sealed class AzureBlobTransport : IDisposable
{
    /// <summary>The Blob service version spoken: supported by Azure and by Azurite 3.x.</summary>
    public const string ApiVersion = "2021-08-06";

    private readonly HttpClient _http;
    private readonly SharedKeySigner _signer;
    private readonly BlobStoreOptions _options;
    private readonly BlobStoreMetrics _metrics;
    private readonly ILogger _logger;

    public AzureBlobTransport(SharedKeySigner signer, BlobStoreOptions options, BlobStoreMetrics metrics, ILogger logger)
    {
        _signer = signer;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        var handler = new SocketsHttpHandler
        {
            // a bounded lifetime lets DNS changes (storage account fail-over) reach a long-running silo
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(15),
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// Sends the request <paramref name="createRequest"/> builds, retrying transient failures. Returns the final
    /// response, successful or not (the caller maps its status); throws <see cref="BlobStoreException"/> when
    /// every attempt failed without a response.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(string operation, string target, Func<HttpRequestMessage> createRequest, long bytesSent, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            using var request = createRequest();
            request.Headers.TryAddWithoutValidation("x-ms-date", DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation("x-ms-version", ApiVersion);
            _signer.Sign(request);

            long start = Stopwatch.GetTimestamp();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                _metrics.RecordRequest(operation, "network_error", start, 0, 0);
                string reason = e is OperationCanceledException ? $"no response within {_options.RequestTimeout.TotalSeconds:0.#} s" : e.Message;
                if (attempt >= _options.MaxRetries)
                {
                    throw new BlobStoreException($"Blob {operation} of '{target}' failed after {attempt + 1} attempts: {reason}", e);
                }

                await WaitBeforeRetryAsync(operation, target, reason, attempt + 1, null, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (OperationCanceledException)
            {
                _metrics.RecordRequest(operation, "canceled", start, 0, 0);
                throw;
            }

            int status = (int)response.StatusCode;
            bool ok = status is >= 200 and < 300;
            _metrics.RecordRequest(operation, AzureErrors.IsConditionFailure(response) ? "condition_failed" : BlobStoreMetrics.StatusOf(status), start, ok ? bytesSent : 0, ok && request.Method != HttpMethod.Head ? response.Content.Headers.ContentLength ?? 0 : 0);
            if (!RetryBackoff.IsTransient(response.StatusCode) || attempt >= _options.MaxRetries)
            {
                return response;
            }

            var retryAfter = response.Headers.RetryAfter;
            response.Dispose();
            await WaitBeforeRetryAsync(operation, target, $"HTTP {status}", attempt + 1, retryAfter, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task WaitBeforeRetryAsync(string operation, string target, string reason, int retry, System.Net.Http.Headers.RetryConditionHeaderValue? retryAfter, CancellationToken cancellationToken)
    {
        var delay = RetryBackoff.Delay(retry, _options, retryAfter, DateTimeOffset.UtcNow);
        BlobStorageLog.RetryingRequest(_logger, operation, target, reason, retry, _options.MaxRetries, (long)delay.TotalMilliseconds);
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
    }
}
