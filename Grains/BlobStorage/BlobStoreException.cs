namespace Runnel.Grains.BlobStorage;

/// <summary>A blob store request failed (after any retries). <see cref="ErrorCode"/> is the service's code when it sent one.</summary>
public class BlobStoreException : Exception
{
    public BlobStoreException()
    {
    }

    public BlobStoreException(string message)
        : base(message)
    {
    }

    public BlobStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public BlobStoreException(string message, int statusCode, string? errorCode, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
    }

    /// <summary>The HTTP status of the final attempt, 0 when there was no response (local store, socket error).</summary>
    public int StatusCode { get; }

    /// <summary>The service's error code (Azure's x-ms-error-code, e.g. AuthenticationFailed), when known.</summary>
    public string? ErrorCode { get; }
}
