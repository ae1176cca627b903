namespace Runnel.Grains.BlobStorage;

/// <summary>A read of a range asked for a blob that does not exist.</summary>
public sealed class BlobNotFoundException : BlobStoreException
{
    public BlobNotFoundException()
    {
    }

    public BlobNotFoundException(string message)
        : base(message)
    {
    }

    public BlobNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public BlobNotFoundException(string name, int statusCode, string? errorCode)
        : base($"There is no blob '{name}'.", statusCode, errorCode)
    {
        BlobName = name;
    }

    public string? BlobName { get; }
}
