namespace Runnel.Grains.BlobStorage.Azure;

/// <summary>How the SDK spaces the retries of a failed request (our own name for Azure.Core's RetryMode, so hosts need no SDK types).</summary>
public enum BlobRetryMode
{
    /// <summary>The delay doubles with each retry, with jitter, up to the maximum delay.</summary>
    Exponential,

    /// <summary>The same delay before every retry.</summary>
    Fixed,
}
