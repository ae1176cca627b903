using Orleans.Concurrency;
using Runnel.Protocol;

namespace Runnel.Grains;

/// <summary>
/// A partition of a topic, keyed "topic/partition" (see <see cref="PartitionKey"/>). Appends are turns of this
/// grain, so offsets are assigned by one writer; reads do not need a turn (the activation registers a silo-local
/// reader, and Fetch reads through it).
/// </summary>
[Alias("runnel.partition")]
public interface IPartitionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Appends validated record batches (the bytes of a Produce request's records field). Immutable: the bytes are
    /// a view of the request frame and cross the local call without a copy, so they must stay valid until the
    /// returned task completes; the grain copies them into its log within the turn. The timeout is far longer than
    /// any client waits, so a caller never gives the frame back while the append could still read it.
    /// </summary>
    [Alias("append")]
    [ResponseTimeout("00:10:00")]
    Task<AppendOutcome> AppendAsync([Immutable] ReadOnlyMemory<byte> batches, short acks);

    /// <summary>
    /// The transaction coordinator added this partition to the transaction of <paramref name="producerId"/> at
    /// <paramref name="producerEpoch"/>: its transactional batches are accepted from now until the marker.
    /// </summary>
    [Alias("begin-txn")]
    Task<ErrorCode> BeginTransactionAsync(long producerId, short producerEpoch);

    /// <summary>Appends the commit or abort marker of the producer's transaction (at the coordinator's epoch) and ends it here.</summary>
    [Alias("txn-marker")]
    Task<ErrorCode> WriteTransactionMarkerAsync(long producerId, short producerEpoch, bool commit);

    /// <summary>Activates the partition (opening its log) and returns its offsets.</summary>
    [Alias("offsets")]
    Task<PartitionOffsets> GetOffsetsAsync();

    /// <summary>DeleteRecords: moves the log start offset up to <paramref name="offset"/> (-1 = the high watermark).</summary>
    [Alias("delete-records")]
    Task<DeleteRecordsOutcome> DeleteRecordsAsync(long offset);

    /// <summary>Re-reads the topic's config after it changed.</summary>
    [Alias("reload-config")]
    Task ReloadConfigAsync();

    /// <summary>The topic was deleted: close the log, remove its files and deactivate.</summary>
    [Alias("delete")]
    Task DeleteAsync();

    /// <summary>
    /// A planned move of leadership: stop appending, seal the active segment, upload everything, and lower the lease's
    /// offset ceiling to the log end so the next leader continues exactly there. Answers the log end, or an error
    /// (the partition then keeps taking appends here).
    /// </summary>
    [Alias("hand-over")]
    [ResponseTimeout("00:10:00")]
    Task<HandOverOutcome> HandOverAsync();

    /// <summary>Another node leads the partition now: close the log, keep its files and deactivate.</summary>
    [Alias("resign")]
    Task ResignAsync();
}

/// <summary>The result of an append: the base offset assigned, or the error that refused the batch.</summary>
[GenerateSerializer]
[Immutable]
[Alias("runnel.append-outcome")]
public readonly record struct AppendOutcome(ErrorCode Error, long BaseOffset, long LogAppendTimeMs, long LogStartOffset, string? ErrorMessage)
{
    /// <summary>The highest offset the answer covers (appended, or the original of a duplicate): what acks=-1 waits to be durable.</summary>
    [Id(5)]
    public long LastOffset { get; init; } = -1;

    public static AppendOutcome Failed(ErrorCode error, string? message) => new(error, -1, -1, -1, message);
}

[GenerateSerializer]
[Immutable]
[Alias("runnel.partition-offsets")]
public readonly record struct PartitionOffsets(long LogStartOffset, long HighWatermark);

[GenerateSerializer]
[Immutable]
[Alias("runnel.delete-records-outcome")]
public readonly record struct DeleteRecordsOutcome(ErrorCode Error, long LowWatermark);

/// <summary>The end of the log a hand-over sealed and uploaded, or why it could not.</summary>
[GenerateSerializer]
[Immutable]
[Alias("runnel.hand-over-outcome")]
public readonly record struct HandOverOutcome(ErrorCode Error, long LogEndOffset, int Epoch, string? Message);

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
