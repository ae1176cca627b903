using System.Buffers.Binary;
using System.IO.Compression;
using System.Net.Sockets;
using System.Text;

namespace Runnel.Silo.Tests.Infrastructure;

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
