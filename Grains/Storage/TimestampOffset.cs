namespace Runnel.Grains.Storage;

/// <summary>An answer to ListOffsets: the offset found and the timestamp of the record at it (-1, -1 when none).</summary>
public readonly record struct TimestampOffset(long Offset, long Timestamp)
{
    public static TimestampOffset None => new(-1, -1);

    public bool Found => Offset >= 0;
}
