using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Runnel.Perf.Kafka;
using Runnel.Perf.Peers;
using Runnel.Records;
using Runnel.Tools.CommandLine;

namespace Runnel.Perf;

/// <summary>
/// runnel-perf's command line: <c>runnel-perf kafka produce|consume|e2e|delete</c>, <c>runnel-perf redis consume</c>
/// and <c>runnel-perf nats produce</c>, each with its <c>--name value</c> options. Names follow the Kafka perf tools
/// where one exists (num-records, record-size, throughput, acks, batch-size, linger-ms, compression, fetch-size).
/// </summary>
internal static class PerfCommandLine
{
    /// <summary>Exit code of a run that did not finish within --timeout-s.</summary>
    public const int TimedOut = 3;

    /// <summary>Longest wait a CancellationTokenSource takes (int.MaxValue ms), in whole seconds.</summary>
    private const double MaxSeconds = 2_000_000;

    public static RootCommand Create()
    {
        Option<double> timeout = Seconds("--timeout-s", "give up after this many seconds, exit code 3", 300);
        timeout.Recursive = true;
        var kafka = new Command("kafka", "Load for any Kafka-protocol broker: produce, consume, both at once (e2e), or delete a topic.")
        {
            KafkaRunCommand("produce", "Produce records as fast as allowed and report ack latency.", timeout, produce: true, consume: false),
            KafkaRunCommand("consume", "Consume records from the start of the topic.", timeout, produce: false, consume: true),
            KafkaRunCommand("e2e", "Produce and consume at once and report end-to-end latency.", timeout, produce: true, consume: true),
            KafkaDeleteCommand(timeout),
        };
        var redis = new Command("redis", "Redis Streams (produce with redis-benchmark's XADD, as tests/perf/compare.sh does).") { RedisConsume(timeout) };
        var nats = new Command("nats", "NATS JetStream.") { NatsProduce(timeout) };
        return new RootCommand("runnel-perf: kafka-producer-perf-test / kafka-consumer-perf-test shaped load for any Kafka-protocol broker, plus the Redis Streams and NATS JetStream drivers of tests/perf/compare.sh.")
        {
            Options = { timeout },
            Subcommands = { kafka, redis, nats },
        };
    }

    private static Command KafkaRunCommand(string mode, string description, Option<double> timeout, bool produce, bool consume)
    {
        var options = new KafkaRunOptions();
        var command = new Command(mode, description);
        options.AddTo(command);
        command.SetAction((parsed, _) => WithTimeoutAsync(parsed.GetValue(timeout), token =>
            KafkaRun.RunAsync(options.Read(parsed, mode, produce && consume), produce, consume, token)));
        return command;
    }

    private static Command KafkaDeleteCommand(Option<double> timeout)
    {
        Option<string> bootstrap = Bootstrap("a broker to ask");
        Option<string> topic = ToolOption.Text("--topic", "the topic to delete", required: true);
        var command = new Command("delete", "Delete a topic.") { bootstrap, topic };
        command.SetAction((parsed, _) => WithTimeoutAsync(parsed.GetValue(timeout), token =>
            KafkaCluster.DeleteTopicAsync(parsed.GetRequiredValue(bootstrap), parsed.GetRequiredValue(topic), token)));
        return command;
    }

    private static Command RedisConsume(Option<double> timeout)
    {
        Option<int> port = Port(6379);
        Option<string> key = ToolOption.Text("--key", "the stream's key", "stream");
        Option<long> numRecords = NumRecords();
        Option<int> count = ToolOption.Int("--count", "entries per XRANGE", 1000, 1);
        Option<int> recordSize = ToolOption.Int("--record-size", "bytes per record, for MB/s", 100, 1);
        var command = new Command("consume", "Scan the stream with XRANGE key (last-id + COUNT n on 127.0.0.1, one request at a time.")
        {
            port, key, numRecords, count, recordSize,
        };
        command.SetAction((parsed, _) => WithTimeoutAsync(parsed.GetValue(timeout), token => RedisStreamLoad.ConsumeAsync(
            new RedisConsumeSettings(parsed.GetValue(port), parsed.GetRequiredValue(key), parsed.GetValue(numRecords), parsed.GetValue(count), parsed.GetValue(recordSize)),
            token)));
        return command;
    }

    private static Command NatsProduce(Option<double> timeout)
    {
        Option<int> port = Port(4222);
        Option<long> numRecords = NumRecords();
        // A record and its PUB line fit the publisher's 256 KiB send buffer.
        Option<int> recordSize = ToolOption.Int("--record-size", "bytes per record", 100, 8, 200_000);
        Option<int> window = ToolOption.Int("--window", "messages awaiting their PubAck at most", 500, 1, 1_000_000);
        Option<string> stream = ToolOption.Text("--stream", "the stream, deleted and created again", "bench");
        Option<string> storage = ToolOption.Choice("--storage", "the stream's storage", "file", "file", "memory");
        var command = new Command("produce", "Publish to a new R1 stream on 127.0.0.1 and report PubAck latency.")
        {
            port, numRecords, recordSize, window, stream, storage,
        };
        command.SetAction((parsed, _) => WithTimeoutAsync(parsed.GetValue(timeout), token => JetStreamLoad.ProduceAsync(
            new JetStreamSettings(parsed.GetValue(port), parsed.GetValue(numRecords), parsed.GetValue(recordSize), parsed.GetValue(window), parsed.GetRequiredValue(stream), parsed.GetRequiredValue(storage)),
            token)));
        return command;
    }

    private static async Task<int> WithTimeoutAsync(double seconds, Func<CancellationToken, Task<int>> run)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            return await run(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("timed out (--timeout-s)").ConfigureAwait(false);
            return TimedOut;
        }
    }

    /// <summary>One broker, as <see cref="KafkaCluster.ParseHostPort"/> reads it (port 9092 when left out).</summary>
    private static Option<string> Bootstrap(string description) =>
        ToolOption.Checked("--bootstrap", description, "127.0.0.1:9092", "host:port", (string text, out string value) =>
        {
            value = text;
            int colon = text.LastIndexOf(':');
            return colon != 0 && (colon < 0 || (int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and <= 65535));
        });

    private static Option<int> Port(int defaultValue) => ToolOption.Int("--port", "port on 127.0.0.1", defaultValue, 1, 65535);

    private static Option<long> NumRecords() => ToolOption.Long("--num-records", "records to send or receive", 1_000_000, 1);

    private static Option<double> Seconds(string name, string description, double defaultValue) =>
        ToolOption.Checked(name, description, defaultValue, $"a number of seconds above 0, at most {MaxSeconds:F0}",
            (string text, out double value) => ToolOption.TryNumber(text, out value) && value > 0 && value <= MaxSeconds);

    /// <summary>The options of a Kafka produce, consume or e2e run, one set per command.</summary>
    private sealed class KafkaRunOptions
    {
        private static readonly string[] s_codecs = ["none", "gzip", "snappy", "lz4", "zstd"];

        private readonly Option<string> _bootstrap = Bootstrap("a broker to start from");
        private readonly Option<string> _topic = ToolOption.Text("--topic", "the topic (default perf-<8 random hex digits>)");
        private readonly Option<long> _numRecords = NumRecords();
        // The value starts with an 8-byte timestamp; 100 MiB is the silo's largest request.
        private readonly Option<int> _recordSize = ToolOption.Int("--record-size", "bytes of value per record", 100, 8, 100 << 20);
        private readonly Option<double> _throughput = ToolOption.Checked("--throughput", "records/s across the producers, -1 = unthrottled", -1.0,
            "a number of records per second above 0, or -1 for no limit", (string text, out double value) => ToolOption.TryNumber(text, out value) && (value > 0 || value == -1));
        private readonly Option<short> _acks = ToolOption.Checked("--acks", "acknowledgement the producer asks for: -1 (all), 0 or 1", (short)1,
            "-1, 0 or 1", (string text, out short value) => short.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value is -1 or 0 or 1);
        private readonly Option<int> _batchSize = ToolOption.Int("--batch-size", "batch.size: bytes per partition batch", 16384, 1, 1 << 30);
        private readonly Option<double> _lingerMs = ToolOption.Number("--linger-ms", "linger.ms: longest wait of a batch that is not full", 0, 0, 3_600_000);
        private readonly Option<string> _compression = ToolOption.Choice("--compression", "compression.type", "none", s_codecs);
        private readonly Option<int> _partitions = ToolOption.Int("--partitions", "partitions of the topic when it is created", 1, 1, 100_000);
        private readonly Option<int> _producers = ToolOption.Int("--producers", "producers, each with its own connections", 1, 1, 1024);
        private readonly Option<int> _consumers = ToolOption.Int("--consumers", "consumers, sharing the partitions", 1, 1, 1024);
        private readonly Option<int> _maxInFlight = ToolOption.Int("--max-in-flight", "Produce requests in flight per connection", 5, 1, 1024);
        private readonly Option<int> _fetchSize = ToolOption.Int("--fetch-size", "bytes per partition per Fetch", 1 << 20, 1);
        private readonly Option<int> _fetchMaxBytes = ToolOption.Int("--fetch-max-bytes", "bytes per Fetch", 50 << 20, 1);
        private readonly Option<int> _maxWaitMs = ToolOption.Int("--max-wait-ms", "Fetch max wait", 500, 0);
        private readonly Option<bool> _checkCrcs = ToolOption.Bool("--check-crcs", "check the CRC-32C of every fetched batch", false);
        private readonly Option<bool> _create = ToolOption.Bool("--create", "create the topic first (an existing one is fine)", true);
        private readonly Option<long> _warmupRecords = ToolOption.Long("--warmup-records", "the same run first on a topic of its own, unreported", 0, 0);
        private readonly Option<double> _idleTimeoutS = Seconds("--idle-timeout-s", "a consumer that receives nothing this long stops", 20);
        private readonly Option<bool> _timeline = ToolOption.Bool("--timeline", "print the worst latency of each second", false);

        public void AddTo(Command command)
        {
            Option[] all =
            [
                _bootstrap, _topic, _numRecords, _recordSize, _throughput, _acks, _batchSize, _lingerMs, _compression, _partitions, _producers,
                _consumers, _maxInFlight, _fetchSize, _fetchMaxBytes, _maxWaitMs, _checkCrcs, _create, _warmupRecords, _idleTimeoutS, _timeline,
            ];
            foreach (Option option in all)
            {
                command.Options.Add(option);
            }
        }

        public KafkaRunSettings Read(ParseResult parsed, string mode, bool endToEnd)
        {
            string topic = parsed.GetValue(_topic) ?? "perf-" + Guid.NewGuid().ToString("N")[..8];
            long numRecords = parsed.GetValue(_numRecords);
            var producer = new ProducerSettings(
                topic, numRecords, parsed.GetValue(_recordSize), parsed.GetValue(_throughput), parsed.GetValue(_acks), parsed.GetValue(_batchSize),
                parsed.GetValue(_lingerMs), Codec(parsed.GetRequiredValue(_compression)), parsed.GetValue(_maxInFlight));
            var consumer = new ConsumerSettings(
                topic, numRecords, parsed.GetValue(_fetchSize), parsed.GetValue(_fetchMaxBytes), parsed.GetValue(_maxWaitMs), endToEnd,
                parsed.GetValue(_checkCrcs), TimeSpan.FromSeconds(parsed.GetValue(_idleTimeoutS)));
            return new KafkaRunSettings(
                mode, parsed.GetRequiredValue(_bootstrap), parsed.GetValue(_create), parsed.GetValue(_warmupRecords), parsed.GetValue(_partitions),
                parsed.GetValue(_producers), parsed.GetValue(_consumers), parsed.GetValue(_timeline), Given(parsed), producer, consumer);
        }

        private static CompressionCodec Codec(string name) => name switch
        {
            "gzip" => CompressionCodec.Gzip,
            "snappy" => CompressionCodec.Snappy,
            "lz4" => CompressionCodec.Lz4,
            "zstd" => CompressionCodec.Zstd,
            _ => CompressionCodec.None,
        };

        /// <summary>The options given on the command line as name=value, for the run's summary line.</summary>
        private static string Given(ParseResult parsed) => string.Join(' ', parsed.CommandResult.Children
            .OfType<OptionResult>()
            .Where(o => !o.Implicit)
            .Select(o => $"{o.Option.Name.TrimStart('-')}={string.Join(',', o.Tokens.Select(t => t.Value))}"));
    }
}
