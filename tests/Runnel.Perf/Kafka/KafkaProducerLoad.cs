using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Records;

namespace Runnel.Perf.Kafka;

/// <summary>Settings of one producer run; the names are kafka-producer-perf-test's and the Java producer's.</summary>
public sealed record ProducerSettings(
    string Topic,
    long NumRecords,
    int RecordSize,
    double Throughput,
    short Acks,
    int BatchSize,
    double LingerMs,
    CompressionCodec Compression,
    int MaxInFlight);

/// <summary>
/// One producer: fills a v2 batch (RecordBatchBuilder) per partition in turn, the sticky way, and sends it as a
/// Produce v7 request to the partition's leader with up to <see cref="ProducerSettings.MaxInFlight"/> requests
/// pipelined per connection. Each record's value starts with the Stopwatch timestamp of its creation, which the
/// consumers read for end-to-end latency; the ack latency of a record is its ack time minus that timestamp.
/// With a rate cap, records are created in the bursts that are due; a batch goes out when full, when it has
/// lingered linger.ms, or (linger 0) as soon as the generator has nothing due.
/// </summary>
public sealed class KafkaProducerLoad
{
    public const short ProduceVersion = 7;

    private readonly ProducerSettings _settings;
    private readonly KafkaCluster _cluster;
    private readonly int _index;
    private readonly long _share;
    private readonly double _rate;
    private readonly LatencyHistogram _latency = new();
    private long _acked;
    private long _errors;
    private long _lastAckTicks;

    public KafkaProducerLoad(ProducerSettings settings, KafkaCluster cluster, int index, int producers)
    {
        _settings = settings;
        _cluster = cluster;
        _index = index;
        _share = settings.NumRecords / producers + (index < settings.NumRecords % producers ? 1 : 0);
        _rate = settings.Throughput > 0 ? settings.Throughput / producers : 0;
    }

    public LatencyHistogram Latency => _latency;

    public long Acked => Interlocked.Read(ref _acked);

    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Stopwatch ticks of the last acknowledgement (of the last send for acks=0).</summary>
    public long LastAckTicks => Interlocked.Read(ref _lastAckTicks);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var wires = new Dictionary<int, (KafkaWire Wire, SemaphoreSlim Window)>();
        try
        {
            foreach (int leader in _cluster.Leaders.Distinct())
            {
                (string host, int port) = _cluster.Brokers[leader];
                wires[leader] = (await KafkaWire.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false), new SemaphoreSlim(_settings.MaxInFlight));
            }

            await ProduceAsync(wires, cancellationToken).ConfigureAwait(false);

            // Every in-flight request answered: take each window whole.
            foreach (var (_, window) in wires.Values)
            {
                for (int i = 0; i < _settings.MaxInFlight; i++)
                {
                    await window.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            foreach (var (wire, window) in wires.Values)
            {
                await wire.DisposeAsync().ConfigureAwait(false);
                window.Dispose();
            }
        }
    }

    private async Task ProduceAsync(Dictionary<int, (KafkaWire Wire, SemaphoreSlim Window)> wires, CancellationToken cancellationToken)
    {
        var builder = new RecordBatchBuilder(_settings.Compression);
        var batchBytes = new ArrayBufferWriter<byte>(_settings.BatchSize + 1024);
        byte[] value = NewPayload(_settings.RecordSize, _index);
        int partitions = _cluster.Leaders.Length;
        int partition = _index % partitions;
        long[] stamps = ArrayPool<long>.Shared.Rent(1024);
        int perRecordOverhead = 8 + Varint.SizeOfVarint(_settings.RecordSize);
        long lingerTicks = (long)(_settings.LingerMs * Stopwatch.Frequency / 1000);
        long wallBaseMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long stampBase = Stopwatch.GetTimestamp();
        long start = stampBase;
        long firstInBatch = 0;

        for (long i = 0; i < _share;)
        {
            long now = Stopwatch.GetTimestamp();
            long due = _rate > 0 ? start + (long)(i / _rate * Stopwatch.Frequency) : now;
            if (due > now)
            {
                // Nothing due: a lingering batch goes out when its linger time is over, or at once with linger 0.
                if (builder.Count > 0 && (lingerTicks == 0 || now - firstInBatch >= lingerTicks))
                {
                    await SendAsync(wires, builder, batchBytes, partition, stamps, cancellationToken).ConfigureAwait(false);
                    partition = (partition + 1) % partitions;
                    stamps = ArrayPool<long>.Shared.Rent(1024);
                    continue;
                }

                long waitTicks = Math.Min(due - now, builder.Count > 0 ? firstInBatch + lingerTicks - now : long.MaxValue);
                if (waitTicks > Stopwatch.Frequency / 2000)
                {
                    await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    Thread.Yield();
                }

                continue;
            }

            if (builder.Count > 0 && builder.UncompressedRecordsSize + _settings.RecordSize + perRecordOverhead > _settings.BatchSize)
            {
                await SendAsync(wires, builder, batchBytes, partition, stamps, cancellationToken).ConfigureAwait(false);
                partition = (partition + 1) % partitions;
                stamps = ArrayPool<long>.Shared.Rent(1024);
                continue;
            }

            if (builder.Count == stamps.Length)
            {
                long[] larger = ArrayPool<long>.Shared.Rent(stamps.Length * 2);
                stamps.AsSpan().CopyTo(larger);
                ArrayPool<long>.Shared.Return(stamps);
                stamps = larger;
            }

            if (builder.Count == 0)
            {
                firstInBatch = now;
            }

            BinaryPrimitives.WriteInt64LittleEndian(value, now);
            stamps[builder.Count] = now;
            builder.Add(wallBaseMs + (now - stampBase) * 1000 / Stopwatch.Frequency, null, value);
            i++;
        }

        if (builder.Count > 0)
        {
            await SendAsync(wires, builder, batchBytes, partition, stamps, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            ArrayPool<long>.Shared.Return(stamps);
        }
    }

    private async ValueTask SendAsync(Dictionary<int, (KafkaWire Wire, SemaphoreSlim Window)> wires, RecordBatchBuilder builder, ArrayBufferWriter<byte> batchBytes, int partition, long[] stamps, CancellationToken cancellationToken)
    {
        batchBytes.ResetWrittenCount();
        builder.WriteTo(batchBytes);
        int count = builder.Count;
        builder.Clear();

        var request = new ProduceRequest { Acks = _settings.Acks, TimeoutMs = 30_000 };
        var topicData = new ProduceRequest.TopicProduceData { Name = _settings.Topic };
        topicData.PartitionData.Add(new ProduceRequest.TopicProduceData.PartitionProduceData { Index = partition, Records = batchBytes.WrittenMemory });
        request.TopicData.Add(topicData);

        var (wire, window) = wires[_cluster.Leaders[partition]];
        using var frame = new KafkaWriter(batchBytes.WrittenCount + 256);
        wire.Encode(frame, ApiKey.Produce, ProduceVersion, request);
        await window.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_settings.Acks == 0)
        {
            await wire.SendAsync(frame.WrittenMemory, static _ => { }, cancellationToken).ConfigureAwait(false);
            window.Release();
            long sent = Stopwatch.GetTimestamp();
            Interlocked.Add(ref _acked, count);
            Interlocked.Exchange(ref _lastAckTicks, sent);
            ArrayPool<long>.Shared.Return(stamps);
            return;
        }

        await wire.SendAsync(frame.WrittenMemory, body => OnAck(body, stamps, count, window), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs on the connection's receive loop, so the histogram has one writer per connection.</summary>
    private void OnAck(ReadOnlyMemory<byte> body, long[] stamps, int count, SemaphoreSlim window)
    {
        long now = Stopwatch.GetTimestamp();
        try
        {
            var reader = new KafkaReader(body);
            var response = new ProduceResponse();
            response.Read(ref reader, ProduceVersion);
            short error = response.Responses.Count > 0 && response.Responses[0].PartitionResponses.Count > 0 ? response.Responses[0].PartitionResponses[0].ErrorCode : (short)-1;
            if (error != 0)
            {
                Interlocked.Add(ref _errors, count);
                if (Interlocked.Read(ref _errors) == count)
                {
                    Console.Error.WriteLine($"produce error {(ErrorCode)error}: {response.Responses[0].PartitionResponses[0].ErrorMessage}");
                }

                return;
            }

            lock (_latency)
            {
                for (int i = 0; i < count; i++)
                {
                    _latency.Record((now - stamps[i]) * 1_000_000_000 / Stopwatch.Frequency, now);
                }
            }

            Interlocked.Add(ref _acked, count);
            Interlocked.Exchange(ref _lastAckTicks, now);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(stamps);
            window.Release();
        }
    }

    /// <summary>Uppercase letters from a fixed seed, as the Kafka tool's random payload; the first 8 bytes carry the timestamp.</summary>
    private static byte[] NewPayload(int size, int seed)
    {
        var random = new Random(1234 + seed);
        var payload = new byte[Math.Max(size, 8)];
        for (int i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)('A' + random.Next(26));
        }

        return payload;
    }
}
