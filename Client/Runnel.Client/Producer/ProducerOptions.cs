namespace Runnel.Client.Producer;

/// <summary>Which acknowledgement a produce request waits for (Kafka's <c>acks</c>).</summary>
public enum Acks : short
{
    /// <summary>Fire and forget: no response; offsets are unknown (-1). Not allowed with idempotence.</summary>
    None = 0,

    /// <summary>The leader wrote the batch.</summary>
    Leader = 1,

    /// <summary>All in-sync replicas have the batch (Kafka's default since 3.0).</summary>
    All = -1,
}

/// <summary>Codec of produced record batches: Kafka's four, with Kafka's numbers.</summary>
public enum CompressionType
{
    None = 0,
    Gzip = 1,
    Snappy = 2,

    /// <summary>LZ4 frames, as Kafka's lz4 (64 KiB independent blocks).</summary>
    Lz4 = 3,

    /// <summary>Zstandard; brokers take it from Produce v7 on (Kafka 2.1 and later, Runnel).</summary>
    Zstd = 4,
}

/// <summary>Producer settings; defaults follow the Java client where they make sense.</summary>
public sealed class ProducerOptions : KafkaClientOptions
{
    /// <summary>Default <see cref="BatchSize"/>: 16 KiB, Kafka's <c>batch.size</c>.</summary>
    public const int DefaultBatchSize = 16 * 1024;

    /// <summary>Default <see cref="BufferMemory"/>: 32 MiB, Kafka's <c>buffer.memory</c>.</summary>
    public const long DefaultBufferMemory = 32L * 1024 * 1024;

    /// <summary>Default <see cref="MaxRequestSize"/>: 1 MiB, Kafka's <c>max.request.size</c> and the broker's default <c>max.message.bytes</c>.</summary>
    public const int DefaultMaxRequestSize = 1024 * 1024;

    /// <summary>Acknowledgement level. Default <see cref="Acks.All"/> (required by idempotence).</summary>
    public Acks Acks { get; set; } = Acks.All;

    /// <summary>
    /// Idempotent delivery (default on, as in Kafka 3+): the producer gets a producer id, numbers each partition's
    /// batches, and retries keep their numbers, so a batch the broker already has is not written twice and retries
    /// never reorder. Requires <see cref="Acks.All"/> and at most 5 batches in flight per partition.
    /// </summary>
    public bool EnableIdempotence { get; set; } = true;

    /// <summary>
    /// How long a partition's batch waits for more records before it is sent, unless it fills first. Default 5 ms
    /// (Kafka 4's <c>linger.ms</c>, librdkafka's too): a little latency buys much larger batches.
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Uncompressed bytes at which a partition's batch is closed and sent. Default 16 KiB (Kafka's <c>batch.size</c>).</summary>
    public int BatchSize { get; set; } = DefaultBatchSize;

    /// <summary>
    /// Bytes of records buffered but not yet acknowledged, across all partitions. When it is used up,
    /// ProduceAsync waits (back-pressure) instead of queueing without bound. Default 32 MiB.
    /// </summary>
    public long BufferMemory { get; set; } = DefaultBufferMemory;

    /// <summary>Largest produce request, and so the largest record. Larger records fail at once with MessageTooLarge. Default 1 MiB.</summary>
    public int MaxRequestSize { get; set; } = DefaultMaxRequestSize;

    /// <summary>Batches of one partition sent but not yet acknowledged. Default 5, the most idempotence allows.</summary>
    public int MaxInFlightPerPartition { get; set; } = 5;

    /// <summary>
    /// Upper bound on the time from ProduceAsync to success or failure, retries included. Default 2 min
    /// (Kafka's <c>delivery.timeout.ms</c>).
    /// </summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Codec of record batches. Default none. A batch that does not get smaller is sent uncompressed.</summary>
    public CompressionType Compression { get; set; } = CompressionType.None;

    /// <summary>
    /// Level of <see cref="Compression"/>, on the codec's own scale as librdkafka's <c>compression.level</c>: gzip 0-9,
    /// lz4 0-12 (0-2 fast, 3 and up LZ4 HC), zstd 1-22 (and zstd's negative fast levels); snappy has none. Values
    /// outside the range are clamped. Default null: the codec's default (gzip 6, lz4 fast, zstd 3).
    /// </summary>
    public int? CompressionLevel { get; set; }

    /// <summary>Ask the broker to create unknown topics (if it is configured to). Default true, like the Java producer.</summary>
    public bool AllowAutoCreateTopics { get; set; } = true;

    /// <summary>Chooses partitions; default <see cref="DefaultPartitioner"/> (murmur2 for keys, sticky for null keys).</summary>
    public IPartitioner? Partitioner { get; set; }

    internal void ValidateProducer()
    {
        Validate();
        if (BatchSize <= 0 || BufferMemory <= 0 || MaxRequestSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), "BatchSize, BufferMemory and MaxRequestSize must be positive.");
        }

        if (!Enum.IsDefined(Compression))
        {
            throw new ArgumentOutOfRangeException(nameof(Compression), $"Unknown compression type {(int)Compression}.");
        }

        if (MaxInFlightPerPartition is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxInFlightPerPartition), "MaxInFlightPerPartition must be at least 1.");
        }

        if (EnableIdempotence && (Acks != Acks.All || MaxInFlightPerPartition > 5))
        {
            throw new ArgumentException("Idempotence requires Acks.All and MaxInFlightPerPartition <= 5; set EnableIdempotence = false for other settings.", nameof(EnableIdempotence));
        }
    }
}
