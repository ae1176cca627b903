using System.Buffers.Binary;
using System.IO.Compression;
using System.Net.Sockets;
using System.Text;

namespace Runnel.Silo.Tests.Infrastructure;

/// <summary>Big-endian writer for hand-built Kafka requests (classic, non-flexible encodings unless noted).</summary>
public sealed class WireWriter
{
    private readonly MemoryStream _buffer = new();

    public int Length => (int)_buffer.Length;

    public WireWriter Int8(sbyte value)
    {
        _buffer.WriteByte((byte)value);
        return this;
    }

    public WireWriter Bool(bool value) => Int8(value ? (sbyte)1 : (sbyte)0);

    public WireWriter Int16(short value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteInt16BigEndian(b, value);
        _buffer.Write(b);
        return this;
    }

    public WireWriter Int32(int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, value);
        _buffer.Write(b);
        return this;
    }

    public WireWriter UInt32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        _buffer.Write(b);
        return this;
    }

    public WireWriter Int64(long value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(b, value);
        _buffer.Write(b);
        return this;
    }

    /// <summary>STRING / NULLABLE_STRING: int16 length (-1 = null) then UTF-8.</summary>
    public WireWriter String(string? value)
    {
        if (value is null)
        {
            return Int16(-1);
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        Int16(checked((short)bytes.Length));
        _buffer.Write(bytes);
        return this;
    }

    /// <summary>BYTES / NULLABLE_BYTES: int32 length (-1 = null) then the bytes.</summary>
    public WireWriter Bytes(byte[]? value)
    {
        if (value is null)
        {
            return Int32(-1);
        }

        Int32(value.Length);
        _buffer.Write(value);
        return this;
    }

    public WireWriter Raw(ReadOnlySpan<byte> bytes)
    {
        _buffer.Write(bytes);
        return this;
    }

    /// <summary>Unsigned varint (flexible versions: compact lengths, tag counts).</summary>
    public WireWriter UVarInt(uint value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _buffer.WriteByte((byte)value);
        return this;
    }

    /// <summary>Zig-zag varint (record fields).</summary>
    public WireWriter VarInt(int value) => UVarInt((uint)((value << 1) ^ (value >> 31)));

    /// <summary>Zig-zag varlong (record timestamp delta).</summary>
    public WireWriter VarLong(long value)
    {
        var v = (ulong)((value << 1) ^ (value >> 63));
        while (v >= 0x80)
        {
            _buffer.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }

        _buffer.WriteByte((byte)v);
        return this;
    }

    public WireWriter CompactString(string? value)
    {
        if (value is null)
        {
            return UVarInt(0);
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        UVarInt((uint)bytes.Length + 1);
        _buffer.Write(bytes);
        return this;
    }

    public byte[] ToArray() => _buffer.ToArray();

    /// <summary>A request frame: int32 size, request header v1 (api key, version, correlation id, client id), body.</summary>
    public static byte[] Frame(short apiKey, short apiVersion, int correlationId, string? clientId, ReadOnlySpan<byte> body)
    {
        var w = new WireWriter();
        w.Int32(0).Int16(apiKey).Int16(apiVersion).Int32(correlationId).String(clientId).Raw(body);
        var frame = w.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
        return frame;
    }
}

/// <summary>Big-endian reader over a response body.</summary>
public sealed class WireReader(byte[] buffer, int offset = 0)
{
    public int Position { get; private set; } = offset;

    public int Remaining => buffer.Length - Position;

    public sbyte Int8() => (sbyte)Take(1)[0];

    public bool Bool() => Int8() != 0;

    public short Int16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    public int Int32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public long Int64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public string? String()
    {
        var length = Int16();
        return length < 0 ? null : Encoding.UTF8.GetString(Take(length));
    }

    public byte[]? Bytes()
    {
        var length = Int32();
        return length < 0 ? null : Take(length).ToArray();
    }

    public ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new FormatException($"Response too short: wanted {count} bytes at {Position}, {Remaining} left.");
        }

        var span = buffer.AsSpan(Position, count);
        Position += count;
        return span;
    }
}

/// <summary>Kafka error codes the tests look at.</summary>
public static class KafkaErrors
{
    public const short None = 0;
    public const short CorruptMessage = 2;
    public const short UnknownTopicOrPartition = 3;
    public const short LeaderNotAvailable = 5;
    public const short NotLeaderOrFollower = 6;
    public const short UnsupportedVersion = 35;
    public const short TopicAlreadyExists = 36;
}

public sealed record ProducePartitionResult(short ErrorCode, long BaseOffset);

public sealed record FetchPartitionResult(short ErrorCode, long HighWatermark, long LastStableOffset, byte[] Records);

public sealed record ApiVersionRange(short ApiKey, short MinVersion, short MaxVersion);

/// <summary>
/// A raw TCP connection to the silo's Kafka port for hand-built requests (the tests' own minimal client:
/// classic request header v1, non-flexible versions).
/// </summary>
public sealed class RawKafkaConnection : IAsyncDisposable, IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private int _correlationId = 1000;

    private RawKafkaConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public NetworkStream Stream => _stream;

    public static async Task<RawKafkaConnection> ConnectAsync(int port)
    {
        var client = new TcpClient(System.Net.Sockets.AddressFamily.InterNetwork) { NoDelay = true };
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port, cts.Token).ConfigureAwait(false);
            return new RawKafkaConnection(client);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public int NextCorrelationId() => Interlocked.Increment(ref _correlationId);

    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await _stream.WriteAsync(bytes).ConfigureAwait(false);
        await _stream.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Reads one response frame (without its size prefix); null if the peer closed the connection first.</summary>
    public async Task<byte[]?> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var sizeBytes = new byte[4];
        if (!await ReadExactlyOrEofAsync(sizeBytes, cts.Token).ConfigureAwait(false))
        {
            return null;
        }

        var size = BinaryPrimitives.ReadInt32BigEndian(sizeBytes);
        if (size < 4 || size > 256 << 20)
        {
            throw new FormatException($"Response frame size {size} is not plausible.");
        }

        var frame = new byte[size];
        if (!await ReadExactlyOrEofAsync(frame, cts.Token).ConfigureAwait(false))
        {
            throw new EndOfStreamException($"Connection closed in the middle of a {size}-byte response frame.");
        }

        return frame;
    }

    /// <summary>
    /// Waits for the peer to close the connection: true when it did (EOF or reset), false when it stayed
    /// open for the whole <paramref name="timeout"/>. Any bytes that arrive instead are returned in <paramref name="received"/>.
    /// </summary>
    public async Task<(bool Closed, int BytesReceived)> WaitForCloseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[65536];
        var total = 0;
        try
        {
            while (true)
            {
                var n = await _stream.ReadAsync(buffer, cts.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    return (true, total);
                }

                total += n;
            }
        }
        catch (OperationCanceledException)
        {
            return (false, total);
        }
        catch (IOException)
        {
            return (true, total);
        }
    }

    /// <summary>Sends a request (header v1) and returns the response body after the correlation id.</summary>
    public async Task<WireReader> RequestAsync(short apiKey, short apiVersion, Action<WireWriter> body, TimeSpan? timeout = null)
    {
        var correlationId = NextCorrelationId();
        var w = new WireWriter();
        body(w);
        await SendRawAsync(WireWriter.Frame(apiKey, apiVersion, correlationId, "runnel-tests", w.ToArray())).ConfigureAwait(false);
        var frame = await ReadFrameAsync(timeout).ConfigureAwait(false)
                    ?? throw new IOException($"The silo closed the connection instead of answering api {apiKey} v{apiVersion}.");
        var reader = new WireReader(frame);
        var echoed = reader.Int32();
        if (echoed != correlationId)
        {
            throw new FormatException($"Correlation id {echoed} in the response, {correlationId} expected (api {apiKey} v{apiVersion}).");
        }

        return reader;
    }

    /// <summary>ApiVersions v0: error code and the advertised ranges.</summary>
    public async Task<(short ErrorCode, List<ApiVersionRange> Ranges)> ApiVersionsV0Async()
    {
        var r = await RequestAsync(18, 0, _ => { }).ConfigureAwait(false);
        var error = r.Int16();
        var count = r.Int32();
        var ranges = new List<ApiVersionRange>();
        for (var i = 0; i < count; i++)
        {
            ranges.Add(new ApiVersionRange(r.Int16(), r.Int16(), r.Int16()));
        }

        return (error, ranges);
    }

    /// <summary>CreateTopics v2 for one topic; returns the topic's error code.</summary>
    public async Task<short> CreateTopicAsync(string topic, int partitions)
    {
        var r = await RequestAsync(19, 2, w =>
        {
            w.Int32(1).String(topic).Int32(partitions).Int16(1).Int32(0).Int32(0);
            w.Int32(30_000).Bool(false);
        }).ConfigureAwait(false);
        r.Int32(); // throttle
        var count = r.Int32();
        short error = -1;
        for (var i = 0; i < count; i++)
        {
            var name = r.String();
            var code = r.Int16();
            r.String();
            if (name == topic)
            {
                error = code;
            }
        }

        return error;
    }

    /// <summary>Creates a topic and fails the test unless that worked.</summary>
    public async Task CreateTopicOrFailAsync(string topic, int partitions = 1)
    {
        var error = await CreateTopicAsync(topic, partitions).ConfigureAwait(false);
        Assert.True(error == KafkaErrors.None, $"CreateTopics v2 '{topic}' ({partitions} partitions) returned error code {error}.");
    }

    /// <summary>Produce v3 of one record batch to one partition.</summary>
    public async Task<ProducePartitionResult> ProduceAsync(string topic, int partition, byte[] batch, short acks = -1)
    {
        var r = await RequestAsync(0, 3, w =>
        {
            w.String(null).Int16(acks).Int32(30_000);
            w.Int32(1).String(topic).Int32(1).Int32(partition).Bytes(batch);
        }).ConfigureAwait(false);
        ProducePartitionResult? result = null;
        var topics = r.Int32();
        for (var t = 0; t < topics; t++)
        {
            var name = r.String();
            var partitions = r.Int32();
            for (var p = 0; p < partitions; p++)
            {
                var index = r.Int32();
                var error = r.Int16();
                var baseOffset = r.Int64();
                r.Int64(); // log append time
                if (name == topic && index == partition)
                {
                    result = new ProducePartitionResult(error, baseOffset);
                }
            }
        }

        return result ?? throw new FormatException($"Produce response has no entry for {topic}/{partition}.");
    }

    /// <summary>Produce v3, retrying (bounded) while a freshly created partition reports a retriable error.</summary>
    public async Task<ProducePartitionResult> ProduceWhenReadyAsync(string topic, int partition, byte[] batch)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var result = await ProduceAsync(topic, partition, batch).ConfigureAwait(false);
            var retriable = result.ErrorCode is KafkaErrors.UnknownTopicOrPartition or KafkaErrors.LeaderNotAvailable or KafkaErrors.NotLeaderOrFollower;
            if (!retriable || DateTime.UtcNow > deadline)
            {
                return result;
            }

            await Task.Delay(200).ConfigureAwait(false);
        }
    }

    /// <summary>Fetch v4 (READ_UNCOMMITTED) of one partition from <paramref name="offset"/>.</summary>
    public async Task<FetchPartitionResult> FetchAsync(string topic, int partition, long offset, int maxBytes = 16 << 20, int maxWaitMs = 100)
    {
        var r = await RequestAsync(1, 4, w =>
        {
            w.Int32(-1).Int32(maxWaitMs).Int32(0).Int32(maxBytes).Int8(0);
            w.Int32(1).String(topic).Int32(1).Int32(partition).Int64(offset).Int32(maxBytes);
        }).ConfigureAwait(false);
        r.Int32(); // throttle
        FetchPartitionResult? result = null;
        var topics = r.Int32();
        for (var t = 0; t < topics; t++)
        {
            var name = r.String();
            var partitions = r.Int32();
            for (var p = 0; p < partitions; p++)
            {
                var index = r.Int32();
                var error = r.Int16();
                var hwm = r.Int64();
                var lso = r.Int64();
                var aborted = r.Int32();
                for (var a = 0; a < aborted; a++)
                {
                    r.Int64();
                    r.Int64();
                }

                var records = r.Bytes() ?? [];
                if (name == topic && index == partition)
                {
                    result = new FetchPartitionResult(error, hwm, lso, records);
                }
            }
        }

        return result ?? throw new FormatException($"Fetch response has no entry for {topic}/{partition}.");
    }

    /// <summary>Fetches from <paramref name="fromOffset"/> up to the high watermark and returns the whole batches, in order.</summary>
    public async Task<List<StoredBatch>> FetchAllBatchesAsync(string topic, int partition, long fromOffset = 0)
    {
        var batches = new List<StoredBatch>();
        var next = fromOffset;
        for (var round = 0; round < 10_000; round++)
        {
            var fetched = await FetchAsync(topic, partition, next).ConfigureAwait(false);
            Assert.True(fetched.ErrorCode == KafkaErrors.None, $"Fetch v4 {topic}/{partition}@{next} returned error {fetched.ErrorCode}.");
            var got = StoredBatch.Split(fetched.Records).Where(b => b.LastOffset >= next).ToList();
            if (got.Count == 0)
            {
                Assert.True(next >= fetched.HighWatermark,
                    $"Fetch v4 {topic}/{partition}@{next} returned no whole batch below the high watermark {fetched.HighWatermark}.");
                return batches;
            }

            batches.AddRange(got);
            next = got[^1].LastOffset + 1;
        }

        throw new InvalidOperationException("Too many fetch rounds.");
    }

    /// <summary>ListOffsets v1 for one partition: timestamp -1 = latest (the high watermark), -2 = earliest.</summary>
    public async Task<(short ErrorCode, long Offset)> ListOffsetAsync(string topic, int partition, long timestamp)
    {
        var r = await RequestAsync(2, 1, w =>
        {
            w.Int32(-1).Int32(1).String(topic).Int32(1).Int32(partition).Int64(timestamp);
        }).ConfigureAwait(false);
        var topics = r.Int32();
        for (var t = 0; t < topics; t++)
        {
            var name = r.String();
            var partitions = r.Int32();
            for (var p = 0; p < partitions; p++)
            {
                var index = r.Int32();
                var error = r.Int16();
                r.Int64();
                var offset = r.Int64();
                if (name == topic && index == partition)
                {
                    return (error, offset);
                }
            }
        }

        throw new FormatException($"ListOffsets response has no entry for {topic}/{partition}.");
    }

    public void Dispose()
    {
        _stream.Dispose();
        _client.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<bool> ReadExactlyOrEofAsync(byte[] buffer, CancellationToken token)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(buffer.AsMemory(read), token).ConfigureAwait(false);
            }
            catch (IOException) when (read == 0)
            {
                return false;
            }

            if (n == 0)
            {
                if (read == 0)
                {
                    return false;
                }

                throw new EndOfStreamException("Connection closed mid-frame.");
            }

            read += n;
        }

        return true;
    }
}

/// <summary>A record to put in a hand-built batch.</summary>
public sealed record TestRecord(string? Key, string Value, IReadOnlyList<(string Key, string Value)> Headers, long TimestampDelta = 0);

/// <summary>Builds record batches (magic 2) by hand: uncompressed or gzip, with a correct or deliberately wrong CRC.</summary>
public static class RecordBatchBuilder
{
    public const short GzipAttribute = 1;

    public static byte[] Build(IReadOnlyList<TestRecord> records, long baseTimestamp, bool gzip = false, long baseOffset = 0, int partitionLeaderEpoch = -1)
    {
        var recordsWriter = new WireWriter();
        for (var i = 0; i < records.Count; i++)
        {
            recordsWriter.Raw(EncodeRecord(records[i], i));
        }

        var recordBytes = recordsWriter.ToArray();
        if (gzip)
        {
            using var compressed = new MemoryStream();
            using (var gz = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                gz.Write(recordBytes);
            }

            recordBytes = compressed.ToArray();
        }

        var maxTimestamp = baseTimestamp + records.Max(r => r.TimestampDelta);

        // Everything the CRC covers: attributes .. end.
        var tail = new WireWriter();
        tail.Int16(gzip ? GzipAttribute : (short)0)
            .Int32(records.Count - 1)
            .Int64(baseTimestamp)
            .Int64(maxTimestamp)
            .Int64(-1) // producer id
            .Int16(-1) // producer epoch
            .Int32(-1) // base sequence
            .Int32(records.Count)
            .Raw(recordBytes);
        var tailBytes = tail.ToArray();

        var batch = new WireWriter();
        batch.Int64(baseOffset)
            .Int32(4 + 1 + 4 + tailBytes.Length) // batch length: from partition leader epoch to the end
            .Int32(partitionLeaderEpoch)
            .Int8(2)
            .UInt32(Crc32C.Compute(tailBytes))
            .Raw(tailBytes);
        return batch.ToArray();
    }

    /// <summary>A copy of <paramref name="batch"/> whose CRC field no longer matches its content.</summary>
    public static byte[] WithWrongCrc(byte[] batch)
    {
        var copy = (byte[])batch.Clone();
        copy[17] ^= 0x5A;
        return copy;
    }

    private static byte[] EncodeRecord(TestRecord record, int offsetDelta)
    {
        var body = new WireWriter();
        body.Int8(0).VarLong(record.TimestampDelta).VarInt(offsetDelta);
        WriteVarBytes(body, record.Key is null ? null : Encoding.UTF8.GetBytes(record.Key));
        WriteVarBytes(body, Encoding.UTF8.GetBytes(record.Value));
        body.VarInt(record.Headers.Count);
        foreach (var (key, value) in record.Headers)
        {
            WriteVarBytes(body, Encoding.UTF8.GetBytes(key));
            WriteVarBytes(body, Encoding.UTF8.GetBytes(value));
        }

        var bodyBytes = body.ToArray();
        var w = new WireWriter();
        w.VarInt(bodyBytes.Length).Raw(bodyBytes);
        return w.ToArray();
    }

    private static void WriteVarBytes(WireWriter w, byte[]? bytes)
    {
        if (bytes is null)
        {
            w.VarInt(-1);
        }
        else
        {
            w.VarInt(bytes.Length).Raw(bytes);
        }
    }
}

/// <summary>One record batch as it came back in a Fetch response.</summary>
public sealed record StoredBatch(byte[] Bytes)
{
    public long BaseOffset => BinaryPrimitives.ReadInt64BigEndian(Bytes);

    public int BatchLength => BinaryPrimitives.ReadInt32BigEndian(Bytes.AsSpan(8));

    public int PartitionLeaderEpoch => BinaryPrimitives.ReadInt32BigEndian(Bytes.AsSpan(12));

    public sbyte Magic => (sbyte)Bytes[16];

    public uint Crc => BinaryPrimitives.ReadUInt32BigEndian(Bytes.AsSpan(17));

    public short Attributes => BinaryPrimitives.ReadInt16BigEndian(Bytes.AsSpan(21));

    public int CompressionCodec => Attributes & 7;

    public int LastOffsetDelta => BinaryPrimitives.ReadInt32BigEndian(Bytes.AsSpan(23));

    public long LastOffset => BaseOffset + LastOffsetDelta;

    public long ProducerId => BinaryPrimitives.ReadInt64BigEndian(Bytes.AsSpan(43));

    public int RecordCount => BinaryPrimitives.ReadInt32BigEndian(Bytes.AsSpan(57));

    public bool CrcMatches => Crc32C.Compute(Bytes.AsSpan(21)) == Crc;

    /// <summary>Splits a Fetch response's records field into whole batches (a trailing partial batch is dropped, as clients do).</summary>
    public static List<StoredBatch> Split(byte[] records)
    {
        var batches = new List<StoredBatch>();
        var position = 0;
        while (records.Length - position >= 12)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(records.AsSpan(position + 8));
            var total = 12 + length;
            if (length < 49 || records.Length - position < total)
            {
                break;
            }

            batches.Add(new StoredBatch(records.AsSpan(position, total).ToArray()));
            position += total;
        }

        return batches;
    }
}

/// <summary>CRC-32C (Castagnoli), the record batch checksum; the tests' own implementation.</summary>
public static class Crc32C
{
    private static readonly uint[] s_table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}

/// <summary>Checks on what the silo stored, read back with a raw Fetch v4.</summary>
public static class StoredBatches
{
    private static readonly string[] s_codecNames = ["none", "gzip", "snappy", "lz4", "zstd"];

    /// <summary>
    /// Every stored batch of partition 0 is compressed with <paramref name="codecId"/>, i.e. the client really
    /// compressed and the silo kept the batch as sent. A client may legitimately decide not to compress (e.g.
    /// librdkafka when it thinks the broker cannot take the codec), so the message says so.
    /// </summary>
    public static async Task AssertCodecAsync(SiloProcess silo, string topic, int codecId)
    {
        await using var connection = await RawKafkaConnection.ConnectAsync(silo.KafkaPort);
        var batches = await connection.FetchAllBatchesAsync(topic, 0);
        Assert.NotEmpty(batches);
        foreach (var batch in batches)
        {
            Assert.True(batch.CrcMatches, $"stored batch at offset {batch.BaseOffset} of {topic} fails its CRC-32C");
            Assert.True(batch.CompressionCodec == codecId,
                $"stored batch at offset {batch.BaseOffset} of {topic} ({batch.RecordCount} records) has codec {(batch.CompressionCodec < s_codecNames.Length ? s_codecNames[batch.CompressionCodec] : batch.CompressionCodec.ToString(CultureInfo.InvariantCulture))}, " +
                $"{s_codecNames[codecId]} was asked of the producer: the client sent it that way (or the silo rewrote it). librdkafka 2.0.2 " +
                "sends gzip/snappy/lz4 uncompressed unless the broker's advertised Produce range includes v0 " +
                "('Broker does not support compression type' in its msg debug log).");
        }
    }

    /// <summary>Every stored batch of partition 0 carries a producer id (so the client really produced idempotently) and a valid CRC.</summary>
    public static async Task AssertIdempotentAsync(SiloProcess silo, string topic)
    {
        await using var connection = await RawKafkaConnection.ConnectAsync(silo.KafkaPort);
        var batches = await connection.FetchAllBatchesAsync(topic, 0);
        Assert.NotEmpty(batches);
        foreach (var batch in batches)
        {
            Assert.True(batch.CrcMatches, $"stored batch at offset {batch.BaseOffset} of {topic} fails its CRC-32C");
            Assert.True(batch.ProducerId >= 0, $"idempotent batch at offset {batch.BaseOffset} of {topic} has producer id {batch.ProducerId}");
        }
    }
}
