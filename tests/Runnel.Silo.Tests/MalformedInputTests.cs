using System.Buffers.Binary;
using Xunit.Abstractions;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests;

/// <summary>
/// Hostile bytes on the Kafka port (raw TCP): each kind of bad frame closes only its own connection and is
/// counted in runnel_kafka_requests_rejected_total; the silo keeps serving and keeps its data.
/// </summary>
public sealed class MalformedInputTests(SiloFixture fixture, ITestOutputHelper output) : IClassFixture<SiloFixture>
{
    private const string Rejected = "runnel_kafka_requests_rejected_total";
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(10);
    private readonly SiloProcess _silo = fixture.Silo;

    public static TheoryData<int> BadLengthPrefixes => new() { -1, -123456, int.MinValue, 100 * 1024 * 1024 + 1, 200 * 1024 * 1024, int.MaxValue };

    [Theory]
    [MemberData(nameof(BadLengthPrefixes))]
    public async Task NegativeOrHugeLengthPrefixClosesTheConnection(int length)
    {
        var before = await RejectedAsync("frame_size");
        await using var bystander = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);

        var prefix = new byte[4 + 16];
        BinaryPrimitives.WriteInt32BigEndian(prefix, length);
        BinaryPrimitives.WriteInt16BigEndian(prefix.AsSpan(4), 18);
        await connection.SendRawAsync(prefix);

        await AssertClosedAsync(connection, $"length prefix {length}");
        await AssertCounterGrowsAsync("frame_size", before);
        await AssertStillServingAsync(bystander);
    }

    [Fact]
    public async Task ConnectionClosedMidFrameIsCountedAsTruncated()
    {
        var before = await RejectedAsync("truncated_frame");
        await using (var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort))
        {
            // Announce 100 bytes, send the start of an ApiVersions v0 header (10 bytes), then go away.
            var partial = new WireWriter().Int32(100).Int16(18).Int16(0).Int32(7).ToArray();
            await connection.SendRawAsync(partial);
            await Task.Delay(200);
        }

        await AssertCounterGrowsAsync("truncated_frame", before);
        await using var fresh = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await AssertStillServingAsync(fresh);
    }

    [Theory]
    [InlineData(999)]
    [InlineData(-7)]
    [InlineData(short.MaxValue)]
    public async Task UnknownApiKeyClosesTheConnection(short apiKey)
    {
        var before = await RejectedAsync("unknown_api_key");
        await using var bystander = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);

        await connection.SendRawAsync(WireWriter.Frame(apiKey, 0, 42, "runnel-tests", []));

        await AssertClosedAsync(connection, $"api key {apiKey}");
        await AssertCounterGrowsAsync("unknown_api_key", before);
        await AssertStillServingAsync(bystander);
    }

    [Theory]
    [InlineData(0, 99)]   // Produce v99
    [InlineData(1, 99)]   // Fetch v99
    [InlineData(3, 999)]  // Metadata v999
    [InlineData(0, -1)]   // Produce v-1
    [InlineData(2, 8)]    // ListOffsets v8: earliest-local (-4) is not implemented, so v8 is not advertised
    public async Task UnsupportedVersionClosesTheConnection(short apiKey, short version)
    {
        var before = await RejectedAsync("unsupported_version");
        await using var bystander = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);

        await connection.SendRawAsync(WireWriter.Frame(apiKey, version, 43, "runnel-tests", new byte[32]));

        await AssertClosedAsync(connection, $"api {apiKey} v{version}");
        await AssertCounterGrowsAsync("unsupported_version", before);
        await AssertStillServingAsync(bystander);
    }

    [Fact]
    public async Task ApiVersionsWithAnUnknownVersionGetsAVersionZeroErrorResponse()
    {
        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        const int correlationId = 0x1234567;

        // What a newer client sends first: ApiVersions v99 with request header v2 (tag section) and a v3-style body.
        var body = new WireWriter().Int8(0) // empty header tag section
            .CompactString("runnel-tests").CompactString("9.9.9").UVarInt(0).ToArray();
        await connection.SendRawAsync(WireWriter.Frame(18, 99, correlationId, "runnel-tests", body));

        var frame = await connection.ReadFrameAsync(TimeSpan.FromSeconds(10));
        Assert.True(frame is not null, "the silo closed the connection instead of answering ApiVersions v99 with UNSUPPORTED_VERSION");
        var r = new WireReader(frame);
        Assert.Equal(correlationId, r.Int32());
        Assert.Equal(KafkaErrors.UnsupportedVersion, r.Int16());
        var count = r.Int32();
        Assert.InRange(count, 1, 1000);
        var ranges = new List<ApiVersionRange>();
        for (var i = 0; i < count; i++)
        {
            ranges.Add(new ApiVersionRange(r.Int16(), r.Int16(), r.Int16()));
        }

        // v0 layout: nothing after the array (no throttle time, no tag section).
        Assert.Equal(0, r.Remaining);
        var apiVersions = Assert.Single(ranges, x => x.ApiKey == 18);
        Assert.Equal(0, apiVersions.MinVersion);
        Assert.True(apiVersions.MaxVersion >= 3, $"ApiVersions advertised up to v{apiVersions.MaxVersion}; clients need v3");
        var produce = Assert.Single(ranges, x => x.ApiKey == 0);
        Assert.True(produce.MinVersion <= 3 && produce.MaxVersion >= 7, $"Produce advertised {produce.MinVersion}..{produce.MaxVersion}");
        var fetch = Assert.Single(ranges, x => x.ApiKey == 1);
        Assert.True(fetch.MinVersion <= 4 && fetch.MaxVersion >= 4, $"Fetch advertised {fetch.MinVersion}..{fetch.MaxVersion}");
    }

    [Theory]
    [InlineData("metadata-array-overrun")]
    [InlineData("produce-topic-name-overrun")]
    [InlineData("fetch-truncated-body")]
    [InlineData("negative-string-length")]
    [InlineData("listoffsets-v7-array-overrun")]
    [InlineData("listoffsets-v7-truncated-partition")]
    public async Task BodyThatDoesNotDecodeClosesTheConnection(string shape)
    {
        var before = await RejectedAsync("malformed");
        await using var bystander = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);

        var (apiKey, version, body) = shape switch
        {
            // Metadata v1: 1,000,000 topic names announced, two present.
            "metadata-array-overrun" => ((short)3, (short)1, new WireWriter().Int32(1_000_000).String("a").String("b").ToArray()),
            // Produce v3: topic name claims 30,000 bytes, 5 follow.
            "produce-topic-name-overrun" => ((short)0, (short)3, new WireWriter().String(null).Int16(-1).Int32(1000).Int32(1).Int16(30_000).Raw("abcde"u8).ToArray()),
            // Fetch v4 cut in the middle of the partition entry.
            "fetch-truncated-body" => ((short)1, (short)4, new WireWriter().Int32(-1).Int32(100).Int32(1).Int32(1 << 20).Int8(0).Int32(1).String("t").Int32(1).Int32(0).Int16(0).ToArray()),
            // Metadata v1 with a topic name of length -5.
            "negative-string-length" => ((short)3, (short)1, new WireWriter().Int32(1).Int16(-5).ToArray()),
            // ListOffsets v7 (flexible: header tag section first): 1,000,000 topics announced, one short name present.
            "listoffsets-v7-array-overrun" => ((short)2, (short)7, new WireWriter().Int8(0).Int32(-1).Int8(0).UVarInt(1_000_001).CompactString("t").ToArray()),
            // ListOffsets v7 whose only partition ends after its leader epoch, without the timestamp.
            "listoffsets-v7-truncated-partition" => ((short)2, (short)7, new WireWriter().Int8(0).Int32(-1).Int8(0).UVarInt(2).CompactString("t")
                .UVarInt(2).Int32(0).Int32(-1).ToArray()),
            _ => throw new ArgumentOutOfRangeException(nameof(shape)),
        };
        await connection.SendRawAsync(WireWriter.Frame(apiKey, version, 44, "runnel-tests", body));

        await AssertClosedAsync(connection, shape);
        await AssertCounterGrowsAsync("malformed", before);
        await AssertStillServingAsync(bystander);
    }

    [Fact]
    public async Task FuzzedFramesLeaveTheSiloServingWithItsDataIntact()
    {
        // Data written before the attack, by a real client and by hand.
        var topic = TestData.UniqueTopic("fuzz-victim");
        var records = TestData.Records(topic, 500, ("before", "attack"));
        await Kcat.ProduceAsync(_silo, topic, records, "-z", "gzip");
        await using var bystander = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        var storedBefore = await bystander.FetchAllBatchesAsync(topic, 0);
        Assert.NotEmpty(storedBefore);
        var fuzzTopic = TestData.UniqueTopic("fuzz-target");
        await bystander.CreateTopicOrFailAsync(fuzzTopic);
        var validProduce = WireWriter.Frame(0, 3, 1, "fuzz", new WireWriter().String(null).Int16(1).Int32(1000)
            .Int32(1).String(fuzzTopic).Int32(1).Int32(0)
            .Bytes(RecordBatchBuilder.Build([new TestRecord("k", "v", [("h", "x")])], 1_700_000_000_000)).ToArray());
        var validMetadata = WireWriter.Frame(3, 1, 2, "fuzz", new WireWriter().Int32(1).String(fuzzTopic).ToArray());
        var metricsBefore = await _silo.GetMetricsAsync();

        // Bounded fuzzing: fixed seed, 500 frames, 1-10 frames per connection, 90 s at most.
        var random = new Random(20_261_122);
        short[] knownKeys = [0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 22, 32, 33, 36, 37, 42, 44, 60];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        var sent = 0;
        var connections = 0;
        while (sent < 500 && DateTime.UtcNow < deadline)
        {
            connections++;
            await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
            var frames = random.Next(1, 11);
            for (var f = 0; f < frames && sent < 500; f++, sent++)
            {
                var frame = random.Next(4) switch
                {
                    0 => RandomFrame(random, (short)random.Next(short.MinValue, short.MaxValue + 1)),
                    1 => RandomFrame(random, knownKeys[random.Next(knownKeys.Length)]),
                    2 => Mutate(random, validProduce),
                    _ => Mutate(random, validMetadata),
                };
                try
                {
                    await connection.SendRawAsync(frame);
                }
                catch (IOException)
                {
                    break; // the silo closed this one; go on with a new connection
                }
            }

            // Give the silo a moment to read what was sent before the connection goes away, and drain answers.
            await connection.WaitForCloseAsync(TimeSpan.FromMilliseconds(50));
        }

        Assert.True(sent == 500, $"only {sent} fuzz frames were sent before the 90 s bound");
        output.WriteLine($"{sent} fuzz frames over {connections} connections");

        // Afterwards: the process runs, old and new connections are served, the data is unchanged.
        _silo.AssertAlive("after fuzzing");
        await AssertStillServingAsync(bystander);
        await using (var fresh = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort))
        {
            await AssertStillServingAsync(fresh);
            var storedAfter = await fresh.FetchAllBatchesAsync(topic, 0);
            Assert.Equal(storedBefore.Count, storedAfter.Count);
            for (var i = 0; i < storedBefore.Count; i++)
            {
                Assert.True(storedBefore[i].Bytes.AsSpan().SequenceEqual(storedAfter[i].Bytes), $"stored batch #{i} of {topic} changed during fuzzing");
            }
        }

        var listing = await Kcat.ListAsync(_silo);
        Assert.True(Kcat.PartitionCount(listing, topic) == 1, $"kcat -L after fuzzing does not list {topic}:\n{listing}");
        TestData.AssertSameRecords(records, await Kcat.ConsumeAsync(_silo, topic), context: "kcat after fuzzing");

        var health = await _silo.Http.GetAsync(new Uri("health", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        var metricsAfter = await _silo.GetMetricsAsync();
        var rejectedDelta = metricsAfter.Sum(Rejected) - metricsBefore.Sum(Rejected);
        output.WriteLine($"{Rejected} grew by {rejectedDelta}; by reason after: " + string.Join(", ",
            new[] { "frame_size", "unknown_api_key", "unsupported_version", "malformed", "truncated_frame" }
                .Select(r => $"{r}={metricsAfter.Get(Rejected, ("reason", r)) - metricsBefore.Get(Rejected, ("reason", r))}")));
        Assert.True(rejectedDelta >= connections / 4.0,
            $"{connections} fuzzing connections, most starting with an undecodable frame, but {Rejected} grew by only {rejectedDelta}.\n{metricsAfter.Text}");
        Assert.True(metricsAfter.Get(Rejected, ("reason", "unknown_api_key")) > metricsBefore.Get(Rejected, ("reason", "unknown_api_key")),
            $"no unknown_api_key rejection counted during fuzzing.\n{metricsAfter.Text}");
    }

    /// <summary>A frame with a plausible header for <paramref name="apiKey"/>, a random version and a random body.</summary>
    private static byte[] RandomFrame(Random random, short apiKey)
    {
        var version = (short)random.Next(-1, 14);
        var body = new byte[random.Next(0, 300)];
        random.NextBytes(body);
        var clientId = random.Next(5) == 0 ? null : "fuzz-" + random.Next(1000).ToString(CultureInfo.InvariantCulture);
        return WireWriter.Frame(apiKey, version, random.Next(), clientId, body);
    }

    /// <summary>A valid frame with 1-4 random bytes overwritten, or cut short (the length prefix fixed up), or both.</summary>
    private static byte[] Mutate(Random random, byte[] valid)
    {
        var frame = (byte[])valid.Clone();
        if (random.Next(3) == 0)
        {
            frame = frame[..random.Next(8, frame.Length)];
        }

        for (var n = random.Next(1, 5); n > 0; n--)
        {
            frame[random.Next(4, frame.Length)] = (byte)random.Next(256);
        }

        BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
        return frame;
    }

    private async Task<double> RejectedAsync(string reason) => (await _silo.GetMetricsAsync()).Get(Rejected, ("reason", reason));

    private async Task AssertCounterGrowsAsync(string reason, double before)
    {
        double now = before;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            now = await RejectedAsync(reason);
            if (now > before)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{Rejected}{{reason=\"{reason}\"}} stayed at {now} (was {before}).\n{await _silo.GetMetricsTextAsync()}");
    }

    private async Task AssertClosedAsync(RawKafkaConnection connection, string what)
    {
        var (closed, received) = await connection.WaitForCloseAsync(s_closeTimeout);
        Assert.True(closed, $"{what}: the silo kept the connection open for {s_closeTimeout.TotalSeconds} s (received {received} bytes).");
        _silo.AssertAlive(what);
    }

    private static async Task AssertStillServingAsync(RawKafkaConnection connection)
    {
        var (error, ranges) = await connection.ApiVersionsV0Async();
        Assert.Equal(KafkaErrors.None, error);
        Assert.Contains(ranges, r => r.ApiKey == 0);
    }
}
