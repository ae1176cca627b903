namespace Runnel.Grains.Producers;

public enum ProducerCheckOutcome
{
    /// <summary>Append it.</summary>
    Ok,

    /// <summary>A retry of a batch already in the log: answer success with the original offsets, append nothing.</summary>
    Duplicate,

    /// <summary>The sequence does not follow the last one (a lost batch in between): OUT_OF_ORDER_SEQUENCE_NUMBER.</summary>
    OutOfOrderSequence,

    /// <summary>The producer has been fenced by a newer epoch: INVALID_PRODUCER_EPOCH.</summary>
    InvalidProducerEpoch,
}

/// <summary>The verdict of <see cref="ProducerStateTable.Check"/>; for a duplicate, where the original batch went.</summary>
public readonly record struct ProducerCheckResult(ProducerCheckOutcome Outcome, long DuplicateBaseOffset, long DuplicateLastOffset)
{
    public static ProducerCheckResult Ok => new(ProducerCheckOutcome.Ok, -1, -1);

    public static ProducerCheckResult OutOfOrderSequence => new(ProducerCheckOutcome.OutOfOrderSequence, -1, -1);

    public static ProducerCheckResult InvalidProducerEpoch => new(ProducerCheckOutcome.InvalidProducerEpoch, -1, -1);

    public static ProducerCheckResult Duplicate(long baseOffset, long lastOffset) =>
        new(ProducerCheckOutcome.Duplicate, baseOffset, lastOffset);
}
