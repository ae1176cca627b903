using Microsoft.Extensions.Logging;

namespace Runnel.Grains.BlobStorage.Azure;

/// <summary>The Azure blob store's log messages, generated once at compile time.</summary>
internal static partial class AzureBlobStorageLog
{
    /// <summary>
    /// Debug, not Warning: in an outage every attempt of every upload fails, and the caller already reports the
    /// final failure (tiering retries on its next tick); runnel_blob_requests_total counts every attempt anyway.
    /// </summary>
    [LoggerMessage(Level = LogLevel.Debug, Message = "Blob {Operation} of '{Path}' attempt {Attempt} of {MaxAttempts} failed ({Reason}); the SDK retries while attempts remain")]
    public static partial void AttemptFailed(ILogger logger, string operation, string path, string reason, int attempt, int maxAttempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Azure blob store: container '{Container}' at {Endpoint}; retries {RetryMode}, at most {MaxRetries}, delay {RetryDelayMs} ms up to {RetryMaxDelayMs} ms, network timeout {NetworkTimeoutMs} ms")]
    public static partial void Opened(ILogger logger, string container, Uri endpoint, BlobRetryMode retryMode, int maxRetries, double retryDelayMs, double retryMaxDelayMs, double networkTimeoutMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created blob container '{Container}' at {Endpoint}")]
    public static partial void ContainerCreated(ILogger logger, string container, Uri endpoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "The blob service refused the credentials of account '{Account}' (HTTP 403 {ErrorCode}): check the account key or the shared access signature in the connection string")]
    public static partial void CredentialsRefused(ILogger logger, string account, string? errorCode);
}
