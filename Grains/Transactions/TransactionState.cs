namespace Runnel.Grains.Transactions;

/// <summary>Kafka's transaction states, as the coordinator moves through them (names as DescribeTransactions shows them).</summary>
public enum TransactionState
{
    /// <summary>A producer id and epoch, no transaction yet.</summary>
    Empty,

    /// <summary>Partitions or offsets were added: records may be in the log, not yet decided.</summary>
    Ongoing,

    /// <summary>Commit decided and written; markers are being written. Recovery finishes the commit.</summary>
    PrepareCommit,

    /// <summary>Abort decided and written; markers are being written. Recovery finishes the abort.</summary>
    PrepareAbort,

    CompleteCommit,

    CompleteAbort,
}
