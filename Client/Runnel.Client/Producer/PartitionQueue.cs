namespace Runnel.Client.Producer;

/// <summary>
/// One partition's batches: the open one taking records, closed ones waiting to be sent (in sequence order), and
/// the count in flight. All fields are guarded by <see cref="Gate"/>. With idempotence a retriable failure puts
/// the partition in recovery: nothing new is sent until every in-flight batch has answered, then the failed
/// batches go back to the front in sequence order, so retries never reorder records.
/// </summary>
internal sealed class PartitionQueue(RecordAccumulator accumulator, string topic, int partition)
{
    public Lock Gate { get; } = new();

    public RecordAccumulator Accumulator { get; } = accumulator;

    public string Topic { get; } = topic;

    public int Partition { get; } = partition;

    public TopicPartition TopicPartition => new(Topic, Partition);

    /// <summary>The batch records are appended to, if any.</summary>
    public ProducerBatch? Open { get; set; }

    /// <summary>Closed batches not yet sent (or sent and to be retried), first to send first.</summary>
    public LinkedList<ProducerBatch> Ready { get; } = new();

    /// <summary>Failed in flight, to be resent once the partition has no batch in flight.</summary>
    public List<ProducerBatch> Retry { get; } = [];

    public int InFlight => Sending.Count;

    /// <summary>Batches sent and not answered yet, in send order.</summary>
    public List<ProducerBatch> Sending { get; } = [];

    /// <summary>A retriable error happened; new sends wait until in-flight batches drain (idempotence).</summary>
    public bool Recovering { get; set; }

    /// <summary>Next sequence number to assign (idempotence).</summary>
    public int NextSequence { get; set; }

    /// <summary>Last sequence the broker acknowledged, -1 before any.</summary>
    public int LastAckedSequence { get; set; } = -1;

    public bool HasWork => Open is not null || Ready.Count > 0 || Retry.Count > 0 || Sending.Count > 0;

    /// <summary>Puts failed batches back at the front, lowest sequence first. Caller holds <see cref="Gate"/>.</summary>
    public void RequeueRetries()
    {
        Retry.Sort(static (a, b) => a.BaseSequence.CompareTo(b.BaseSequence));
        for (int i = Retry.Count - 1; i >= 0; i--)
        {
            Ready.AddFirst(Retry[i]);
        }

        Retry.Clear();
        Recovering = false;
    }
}
