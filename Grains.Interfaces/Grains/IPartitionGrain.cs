using Runnel.Protocol;
using Runnel.Runtime;

namespace Runnel.Grains;

/// <summary>
/// A partition of a topic, keyed "topic/partition" (see <see cref="PartitionKey"/>). Appends are turns of this
/// grain, so offsets are assigned by one writer; reads do not need a turn (see IPartitionReader in the silo).
/// </summary>
public interface IPartitionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Appends validated record batches (the bytes of a Produce request's records field). The bytes must stay
    /// valid until the returned task completes; the grain copies them into its log before completing.
    /// </summary>
    Task<AppendOutcome> AppendAsync(ReadOnlyMemory<byte> batches, short acks);

    /// <summary>Activates the partition (opening its log) and returns its offsets.</summary>
    Task<PartitionOffsets> GetOffsetsAsync();

    /// <summary>DeleteRecords: moves the log start offset up to <paramref name="offset"/> (-1 = the high watermark).</summary>
    Task<DeleteRecordsOutcome> DeleteRecordsAsync(long offset);

    /// <summary>Re-reads the topic's config after it changed.</summary>
    Task ReloadConfigAsync();

    /// <summary>The topic was deleted: close the log, remove its files and deactivate.</summary>
    Task DeleteAsync();
}

/// <summary>The result of an append: the base offset assigned, or the error that refused the batch.</summary>
public readonly record struct AppendOutcome(ErrorCode Error, long BaseOffset, long LogAppendTimeMs, long LogStartOffset, string? ErrorMessage)
{
    /// <summary>The highest offset the answer covers (appended, or the original of a duplicate): what acks=-1 waits to be durable.</summary>
    public long LastOffset { get; init; } = -1;

    public static AppendOutcome Failed(ErrorCode error, string? message) => new(error, -1, -1, -1, message);
}

public readonly record struct PartitionOffsets(long LogStartOffset, long HighWatermark);

public readonly record struct DeleteRecordsOutcome(ErrorCode Error, long LowWatermark);

/// <summary>Grain keys of partitions.</summary>
public static class PartitionKey
{
    public static string Format(string topic, int partition) => topic + "/" + partition.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static (string Topic, int Partition) Parse(string key)
    {
        int slash = key.LastIndexOf('/');
        return (key[..slash], int.Parse(key.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture));
    }
}
