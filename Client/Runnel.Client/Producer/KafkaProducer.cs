using Runnel.Client.Network;
using Runnel.Client.Serialization;
using Runnel.Protocol;
using Runnel.Records;

namespace Runnel.Client.Producer;

/// <summary>
/// Produces records to Kafka-protocol brokers (Runnel silos, Apache Kafka, ...). Thread-safe; create one per
/// application and share it. Records are batched per partition (<see cref="ProducerOptions.Linger"/>,
/// <see cref="ProducerOptions.BatchSize"/>) and sent by a background loop; idempotence is on by default.
/// </summary>
public sealed class KafkaProducer<TKey, TValue> : IAsyncDisposable
{
    // Per-record framing the size estimate adds to key, value and headers: varints, attributes, deltas.
    private const int RecordOverhead = 24;

    private readonly ProducerOptions _options;
    private readonly ISerializer<TKey> _keySerializer;
    private readonly ISerializer<TValue> _valueSerializer;
    private readonly IPartitioner _partitioner;
    private readonly KafkaCluster _cluster;
    private readonly RecordAccumulator _accumulator;
    private readonly MemoryBudget _memory;
    private readonly Sender _sender;
    private readonly SemaphoreSlim _appendOrder = new(1, 1);
    private int _waitingAppends;
    private int _disposed;

    public KafkaProducer(ProducerOptions options, ISerializer<TKey>? keySerializer = null, ISerializer<TValue>? valueSerializer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateProducer();
        _options = options;
        _keySerializer = keySerializer ?? Serializers.Default<TKey>();
        _valueSerializer = valueSerializer ?? Serializers.Default<TValue>();
        _partitioner = options.Partitioner ?? new DefaultPartitioner();
        _cluster = new KafkaCluster(options, "Producer");
        _accumulator = new RecordAccumulator(options.BatchSize);
        _memory = new MemoryBudget(options.BufferMemory);
        _sender = new Sender(_cluster, options, _accumulator, _memory);
    }

    /// <summary>Bytes of <see cref="ProducerOptions.BufferMemory"/> not taken by buffered or in-flight records.</summary>
    public long AvailableBufferMemory => _memory.Available;

    /// <summary>Produces a record and waits until the broker acknowledged it; returns its partition and offset.</summary>
    /// <exception cref="KafkaException">Delivery failed (after retries), or the record is larger than MaxRequestSize.</exception>
    public ValueTask<DeliveryResult> ProduceAsync(string topic, TKey key, TValue value, IReadOnlyList<Header>? headers = null, CancellationToken cancellationToken = default) =>
        ProduceAsync(new ProducerRecord<TKey, TValue>(topic, key, value) { Headers = headers }, cancellationToken);

    /// <inheritdoc cref="ProduceAsync(string, TKey, TValue, IReadOnlyList{Header}?, CancellationToken)"/>
    public async ValueTask<DeliveryResult> ProduceAsync(ProducerRecord<TKey, TValue> record, CancellationToken cancellationToken = default)
    {
        (ProducerBatch batch, int index, int partition, long timestamp) = await AppendAsync(record, cancellationToken).ConfigureAwait(false);
        long baseOffset = await batch.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new DeliveryResult(record.Topic, partition, baseOffset < 0 ? -1 : baseOffset + index, timestamp);
    }

    /// <summary>
    /// Hands a record to the producer and returns once it is buffered (waiting only when
    /// <see cref="ProducerOptions.BufferMemory"/> is used up), not when it is acknowledged. Delivery errors surface
    /// from <see cref="FlushAsync"/>. The fastest way to produce many records.
    /// </summary>
    public async ValueTask EnqueueAsync(ProducerRecord<TKey, TValue> record, CancellationToken cancellationToken = default) =>
        await AppendAsync(record, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc cref="EnqueueAsync(ProducerRecord{TKey, TValue}, CancellationToken)"/>
    public ValueTask EnqueueAsync(string topic, TKey key, TValue value, IReadOnlyList<Header>? headers = null, CancellationToken cancellationToken = default) =>
        EnqueueAsync(new ProducerRecord<TKey, TValue>(topic, key, value) { Headers = headers }, cancellationToken);

    /// <summary>
    /// Sends everything buffered without waiting for <see cref="ProducerOptions.Linger"/> and waits until it completed.
    /// Throws the first delivery error since the previous flush, if any.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _sender.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (_sender.TakeUnobservedError() is { } error)
        {
            throw new KafkaException(((KafkaException)error).ErrorCode, "At least one record was not delivered: " + error.Message, error);
        }
    }

    /// <summary>Sends what is buffered (waiting at most the delivery timeout), then closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _sender.CloseAsync().WaitAsync(_options.DeliveryTimeout + _options.RequestTimeout).ConfigureAwait(false);
        await _cluster.DisposeAsync().ConfigureAwait(false);
    }

    private async ValueTask<(ProducerBatch Batch, int Index, int Partition, long Timestamp)> AppendAsync(ProducerRecord<TKey, TValue> record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrEmpty(record.Topic);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);

        byte[]? key = _keySerializer.Serialize(record.Key, new SerializationContext(record.Topic, MessageComponent.Key));
        byte[]? value = _valueSerializer.Serialize(record.Value, new SerializationContext(record.Topic, MessageComponent.Value));
        int size = RecordOverhead + (key?.Length ?? 0) + (value?.Length ?? 0) + HeadersSize(record.Headers);
        if (size + RecordBatchHeader.Size > _options.MaxRequestSize)
        {
            ClientThrowHelper.ThrowRecordTooLarge(size + RecordBatchHeader.Size, _options.MaxRequestSize, "MaxRequestSize");
        }

        if (size > _options.BufferMemory)
        {
            ClientThrowHelper.ThrowRecordTooLarge(size, (int)Math.Min(_options.BufferMemory, int.MaxValue), "BufferMemory");
        }

        // Records handed over one after another keep that order even when some have to wait (for metadata or
        // buffer memory): once one waits, later ones queue behind it (SemaphoreSlim waiters are FIFO).
        TopicInfo? topic = _cluster.Metadata.Topic(record.Topic);
        if (Volatile.Read(ref _waitingAppends) == 0 && topic is { IsUsable: true } && _memory.TryReserve(size))
        {
            return Append(record, key, value, size, topic);
        }

        Interlocked.Increment(ref _waitingAppends);
        try
        {
            await _appendOrder.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                topic = _cluster.Metadata.Topic(record.Topic);
                if (topic is not { IsUsable: true })
                {
                    topic = await _cluster.GetTopicAsync(record.Topic, _options.AllowAutoCreateTopics, cancellationToken).ConfigureAwait(false);
                }

                await _memory.ReserveAsync(size, cancellationToken).ConfigureAwait(false);
                return Append(record, key, value, size, topic);
            }
            finally
            {
                _appendOrder.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waitingAppends);
        }
    }

    /// <summary>Chooses the partition and appends; the memory for <paramref name="size"/> is already reserved.</summary>
    private (ProducerBatch Batch, int Index, int Partition, long Timestamp) Append(ProducerRecord<TKey, TValue> record, byte[]? key, byte[]? value, int size, TopicInfo topic)
    {
        int partitionCount = topic.Partitions.Length;
        int partition;
        if (record.Partition is int explicitPartition)
        {
            if ((uint)explicitPartition >= (uint)partitionCount)
            {
                _memory.Release(size);
                throw new KafkaException(ErrorCode.UnknownTopicOrPartition, $"Topic '{record.Topic}' has {partitionCount} partition(s); partition {explicitPartition} does not exist.");
            }

            partition = explicitPartition;
        }
        else
        {
            partition = _partitioner.Partition(record.Topic, key, key is null, partitionCount);
        }

        long timestamp = record.Timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        PartitionQueue queue = _accumulator.Queue(record.Topic, partition, partitionCount);
        RecordHeaderEntry[]? headers = HeaderConversion.Rent(record.Headers);
        (ProducerBatch batch, int index) result;
        bool filled;
        try
        {
            ReadOnlySpan<RecordHeaderEntry> headerSpan = headers is null ? default : headers.AsSpan(0, record.Headers!.Count);
            result = _accumulator.Append(queue, timestamp, key, value, headerSpan, size, out filled);
        }
        catch
        {
            _memory.Release(size);
            throw;
        }
        finally
        {
            HeaderConversion.Return(headers);
        }

        if (filled)
        {
            if (key is null && record.Partition is null)
            {
                _partitioner.OnBatchFull(record.Topic, partition, partitionCount);
            }

            _sender.Wake();
        }
        else if (result.index == 0)
        {
            _sender.Wake();
        }

        return (result.batch, result.index, partition, timestamp);
    }

    private static int HeadersSize(IReadOnlyList<Header>? headers)
    {
        if (headers is null)
        {
            return 0;
        }

        int size = 0;
        for (int i = 0; i < headers.Count; i++)
        {
            size += 10 + (headers[i].Key?.Length * 3 ?? 0) + (headers[i].Value?.Length ?? 0);
        }

        return size;
    }
}
