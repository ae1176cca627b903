namespace Runnel.Grains.BlobStorage;

/// <summary>
/// The write's or delete's condition did not hold (HTTP 412, or 409 BlobAlreadyExists for create-only): another
/// writer got there first. Nothing was changed by this call; re-read and decide again.
/// </summary>
public sealed class BlobConditionFailedException : BlobStoreException
{
    public BlobConditionFailedException()
    {
    }

    public BlobConditionFailedException(string message)
        : base(message)
    {
    }

    public BlobConditionFailedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public BlobConditionFailedException(string name, BlobCondition condition, int statusCode = 0, string? errorCode = null)
        : base($"The condition '{condition}' on blob '{name}' did not hold.", statusCode, errorCode)
    {
        BlobName = name;
        Condition = condition;
    }

    public string? BlobName { get; }

    public BlobCondition Condition { get; }
}
