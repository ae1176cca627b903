using Microsoft.Extensions.Logging;

namespace Runnel.Grains.BlobStorage;

/// <summary>The blob stores' log messages, generated once at compile time.</summary>
internal static partial class BlobStorageLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Blob {Operation} of '{Name}' failed transiently ({Reason}); retry {Attempt} of {MaxRetries} in {DelayMs} ms")]
    public static partial void RetryingRequest(ILogger logger, string operation, string name, string reason, int attempt, int maxRetries, long delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created blob container '{Container}' at {Endpoint}")]
    public static partial void ContainerCreated(ILogger logger, string container, Uri endpoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "Azure rejected the Shared Key signature of account '{Account}' (HTTP 403): check AccountName and AccountKey")]
    public static partial void AuthenticationFailed(ILogger logger, string account);

    [LoggerMessage(Level = LogLevel.Information, Message = "Local blob store in '{Folder}'")]
    public static partial void LocalStoreOpened(ILogger logger, string folder);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Removed {Count} abandoned staging files from '{Folder}'")]
    public static partial void StagingCleaned(ILogger logger, int count, string folder);
}
