namespace Runnel.Grains.Cluster;

/// <summary>A partition or group was asked of a silo that does not lead it; the client should refresh its metadata.</summary>
public sealed class NotLeaderException : Exception
{
    public NotLeaderException()
    {
    }

    public NotLeaderException(string message)
        : base(message)
    {
    }

    public NotLeaderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
