using System.Text.Json.Serialization;

namespace Runnel.Grains.Transactions;

/// <summary>
/// What a coordinator keeps of one transactional id, written whole as the value of a `__transaction_state` record at
/// every change (last record wins). Immutable: a change is a new instance.
/// </summary>
public sealed record TransactionMetadata
{
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;

    public long ProducerId { get; init; } = -1;

    public short ProducerEpoch { get; init; } = -1;

    public int TimeoutMs { get; init; }

    public TransactionState State { get; init; }

    /// <summary>Partitions in the transaction ("topic" and partition).</summary>
    public IReadOnlyList<TransactionPartition> Partitions { get; init; } = [];

    /// <summary>Groups added with AddOffsetsToTxn.</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>Offsets sent with TxnOffsetCommit, committed to their groups only when the transaction commits.</summary>
    public IReadOnlyList<PendingOffset> Offsets { get; init; } = [];

    /// <summary>When the transaction began (Unix ms): the timeout counts from here. 0 when none is open.</summary>
    public long StartMs { get; init; }

    public long UpdateMs { get; init; }

    [JsonIgnore]
    public bool IsOpen => State is TransactionState.Ongoing or TransactionState.PrepareCommit or TransactionState.PrepareAbort;
}

public sealed record TransactionPartition(string Topic, int Partition);

public sealed record PendingOffset(string Group, string Topic, int Partition, long Offset, int LeaderEpoch, string? Metadata);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(TransactionMetadata))]
internal sealed partial class TransactionJsonContext : JsonSerializerContext;
