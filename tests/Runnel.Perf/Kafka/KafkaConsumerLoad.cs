using System.Buffers.Binary;
using System.Diagnostics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Records;

namespace Runnel.Perf.Kafka;

/// <summary>Settings of one consumer run, kafka-consumer-perf-test's names.</summary>
public sealed record ConsumerSettings(string Topic, long Messages, int FetchSize, int FetchMaxBytes, int MaxWaitMs, bool EndToEnd, bool CheckCrcs, TimeSpan IdleTimeout);

/// <summary>
/// One consumer: reads its share of the partitions (p % consumers == index) from offset 0 with Fetch v11, one
/// request per leader at a time as Kafka consumers do, and counts records from the batch headers. For end-to-end
/// runs it also walks every record and takes the creation timestamp from the first 8 bytes of its value.
/// </summary>
public sealed class KafkaConsumerLoad
{
    public const short FetchVersion = 11;

    private readonly ConsumerSettings _settings;
    private readonly KafkaCluster _cluster;
    private readonly List<int> _partitions = new();
    private readonly long[] _offsets;
    private readonly LatencyHistogram _latency = new();
    private readonly SharedProgress _progress;
    private long _records;
    private long _bytes;
    private long _errors;

    public KafkaConsumerLoad(ConsumerSettings settings, KafkaCluster cluster, int index, int consumers, SharedProgress progress)
    {
        _settings = settings;
        _cluster = cluster;
        _progress = progress;
        _offsets = new long[cluster.Leaders.Length];
        for (int p = index; p < cluster.Leaders.Length; p += consumers)
        {
            _partitions.Add(p);
        }
    }

    public LatencyHistogram Latency => _latency;

    public long Records => _records;

    /// <summary>Record value bytes received (payload MB/s is computed from the record size instead).</summary>
    public long Bytes => _bytes;

    public long Errors => _errors;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_partitions.Count == 0)
        {
            return;
        }

        var byLeader = _partitions.GroupBy(p => _cluster.Leaders[p]).ToList();
        var loops = new List<Task>();
        foreach (var group in byLeader)
        {
            (string host, int port) = _cluster.Brokers[group.Key];
            KafkaWire wire = await KafkaWire.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            loops.Add(FetchLoopAsync(wire, [.. group], cancellationToken));
        }

        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    private async Task FetchLoopAsync(KafkaWire wire, int[] partitions, CancellationToken cancellationToken)
    {
        await using var _ = wire.ConfigureAwait(false);
        long lastProgress = Stopwatch.GetTimestamp();
        using var frame = new KafkaWriter(256);
        while (!_progress.IsDone && !cancellationToken.IsCancellationRequested)
        {
            var request = new FetchRequest { MaxWaitMs = _settings.MaxWaitMs, MinBytes = 1, MaxBytes = _settings.FetchMaxBytes, IsolationLevel = 0, SessionEpoch = -1 };
            var topic = new FetchRequest.FetchTopic { Topic = _settings.Topic };
            foreach (int p in partitions)
            {
                topic.Partitions.Add(new FetchRequest.FetchTopic.FetchPartition { Partition = p, FetchOffset = _offsets[p], PartitionMaxBytes = _settings.FetchSize });
            }

            request.Topics.Add(topic);
            frame.Reset();
            wire.Encode(frame, ApiKey.Fetch, FetchVersion, request);
            var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            await wire.SendAsync(frame.WrittenMemory, body => done.TrySetResult(OnFetched(body)), cancellationToken).ConfigureAwait(false);
            Task finished = await Task.WhenAny(done.Task, wire.Receiving).ConfigureAwait(false);
            if (finished != done.Task)
            {
                throw new InvalidOperationException("The connection closed during a fetch.", wire.Receiving.Exception);
            }

            long got = await done.Task.ConfigureAwait(false);
            long now = Stopwatch.GetTimestamp();
            if (got > 0)
            {
                lastProgress = now;
                Interlocked.Add(ref _records, got);
                _progress.Add(got);
            }
            else if (Stopwatch.GetElapsedTime(lastProgress, now) > _settings.IdleTimeout)
            {
                Console.Error.WriteLine($"consumer: no records for {_settings.IdleTimeout.TotalSeconds:F0} s; stopping at {_progress.Count} of {_settings.Messages}.");
                _progress.Abandon();
                return;
            }
        }
    }

    /// <summary>Runs on the receive loop: the records are slices of the response buffer, valid only here.</summary>
    private long OnFetched(ReadOnlyMemory<byte> body)
    {
        long now = Stopwatch.GetTimestamp();
        var reader = new KafkaReader(body);
        var response = new FetchResponse();
        response.Read(ref reader, FetchVersion);
        long got = 0;
        foreach (var topic in response.Responses)
        {
            foreach (var partition in topic.Partitions)
            {
                if (partition.ErrorCode != 0)
                {
                    _errors++;
                    continue;
                }

                if (partition.Records is { Length: > 0 } records)
                {
                    got += Consume(partition.PartitionIndex, records.Span, now);
                }
            }
        }

        return got;
    }

    private long Consume(int partition, ReadOnlySpan<byte> batches, long now)
    {
        long fetchOffset = _offsets[partition];
        long got = 0;
        while (batches.Length >= RecordBatchHeader.Size)
        {
            RecordBatchHeader header = RecordBatchHeader.Read(batches);
            if (header.TotalSize > batches.Length || header.BatchLength <= 0)
            {
                break; // a partial batch at the end of the response (Kafka trims to the byte limit)
            }

            ReadOnlySpan<byte> batch = batches[..header.TotalSize];
            batches = batches[header.TotalSize..];
            if (header.LastOffset < fetchOffset)
            {
                continue;
            }

            if (_settings.CheckCrcs && Crc32C.Compute(batch[(RecordBatchHeader.AttributesOffset)..]) != header.Crc)
            {
                _errors++;
            }

            long skipped = Math.Max(0, fetchOffset - header.BaseOffset);
            got += header.RecordCount - skipped;
            _bytes += header.TotalSize;
            _offsets[partition] = header.LastOffset + 1;
            if (_settings.EndToEnd && !header.IsControl)
            {
                ReadOnlySpan<byte> recordsRegion = header.Compression == CompressionCodec.None
                    ? batch[RecordBatchHeader.Size..]
                    : RecordBatchCompression.DecompressRecords(batch);
                RecordLatencies(recordsRegion, header.RecordCount, (int)skipped, now);
            }
        }

        return got;
    }

    private void RecordLatencies(ReadOnlySpan<byte> records, int count, int skip, long now)
    {
        int position = 0;
        for (int i = 0; i < count && position < records.Length; i++)
        {
            Varint.TryReadVarint(records[position..], out int length, out int n);
            int start = position + n;
            position = start + length;
            if (i < skip)
            {
                continue;
            }

            ReadOnlySpan<byte> record = records.Slice(start, length);
            int p = 1; // attributes
            Varint.TryReadVarlong(record[p..], out _, out n);
            p += n;
            Varint.TryReadVarint(record[p..], out _, out n);
            p += n;
            Varint.TryReadVarint(record[p..], out int keyLength, out n);
            p += n + Math.Max(keyLength, 0);
            Varint.TryReadVarint(record[p..], out int valueLength, out n);
            p += n;
            if (valueLength >= 8)
            {
                long created = BinaryPrimitives.ReadInt64LittleEndian(record[p..]);
                _latency.Record((now - created) * 1_000_000_000 / Stopwatch.Frequency, now);
            }
        }
    }
}

/// <summary>Records consumed by all consumers together; the run ends when the expected count arrived.</summary>
public sealed class SharedProgress(long expected)
{
    private long _count;
    private long _lastTicks;
    private volatile bool _abandoned;

    public long Count => Interlocked.Read(ref _count);

    public long LastTicks => Interlocked.Read(ref _lastTicks);

    public bool IsDone => _abandoned || Interlocked.Read(ref _count) >= expected;

    public void Add(long records)
    {
        Interlocked.Add(ref _count, records);
        Interlocked.Exchange(ref _lastTicks, Stopwatch.GetTimestamp());
    }

    public void Abandon() => _abandoned = true;
}
