using Microsoft.Extensions.Logging;

namespace Runnel.Grains.BlobStorage;

/// <summary>The local folder store's log messages (the Azure store's are in its own project), generated once at compile time.</summary>
internal static partial class BlobStorageLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Local blob store in '{Folder}'")]
    public static partial void LocalStoreOpened(ILogger logger, string folder);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Removed {Count} abandoned staging files from '{Folder}'")]
    public static partial void StagingCleaned(ILogger logger, int count, string folder);
}
