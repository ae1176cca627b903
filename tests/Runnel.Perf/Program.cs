using System.Diagnostics;
using Runnel.Perf.Kafka;
using Runnel.Perf.Peers;
using Runnel.Records;

namespace Runnel.Perf;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        PerfOptions options;
        try
        {
            options = PerfOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            return await BadCommandLineAsync(ex).ConfigureAwait(false);
        }

        double timeoutSeconds;
        try
        {
            timeoutSeconds = options.GetDouble("timeout-s", 300);
        }
        catch (ArgumentException ex)
        {
            return await BadCommandLineAsync(ex).ConfigureAwait(false);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            return (options.System, options.Mode) switch
            {
                ("kafka", "produce") => await KafkaAsync(options, produce: true, consume: false, timeout.Token).ConfigureAwait(false),
                ("kafka", "consume") => await KafkaAsync(options, produce: false, consume: true, timeout.Token).ConfigureAwait(false),
                ("kafka", "e2e") => await KafkaAsync(options, produce: true, consume: true, timeout.Token).ConfigureAwait(false),
                ("kafka", "delete") => await KafkaCluster.DeleteTopicAsync(options.Get("bootstrap", "127.0.0.1:9092"), options.Get("topic", string.Empty), timeout.Token).ConfigureAwait(false),
                ("redis", "produce") => await RedisStreamLoad.ProduceAsync(options, timeout.Token).ConfigureAwait(false),
                ("redis", "consume") => await RedisStreamLoad.ConsumeAsync(options, timeout.Token).ConfigureAwait(false),
                ("nats", "produce") => await JetStreamLoad.ProduceAsync(options, timeout.Token).ConfigureAwait(false),
                _ => throw new ArgumentException($"unknown system/mode '{options.System} {options.Mode}'"),
            };
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("timed out (--timeout-s)").ConfigureAwait(false);
            return 3;
        }
        catch (ArgumentException ex)
        {
            return await BadCommandLineAsync(ex).ConfigureAwait(false);
        }
    }

    /// <summary>The message naming what is wrong, then the usage; exit code 2.</summary>
    private static async Task<int> BadCommandLineAsync(ArgumentException problem)
    {
        await Console.Error.WriteLineAsync(problem.Message).ConfigureAwait(false);
        await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
        return 2;
    }

    private const string Usage = """
        runnel-perf kafka produce|consume|e2e --bootstrap 127.0.0.1:9092 --topic T
            [--num-records 1000000] [--record-size 100] [--throughput -1] [--acks 1] [--batch-size 16384]
            [--linger-ms 0] [--compression none|gzip|snappy|lz4|zstd] [--partitions 1] [--producers 1] [--consumers 1]
            [--max-in-flight 5] [--fetch-size 1048576] [--fetch-max-bytes 52428800] [--check-crcs false]
            [--create true] [--warmup-records 0] [--timeout-s 300] [--timeline false: worst latency of each second]
        runnel-perf redis produce|consume --port 6379 --key stream [--num-records N] [--record-size S] [--pipeline 64] [--count 1000]
        runnel-perf nats produce --port 4222 [--num-records N] [--record-size S] [--window 500]
        """;

    private static async Task<int> KafkaAsync(PerfOptions options, bool produce, bool consume, CancellationToken cancellationToken)
    {
        string bootstrap = options.Get("bootstrap", "127.0.0.1:9092");
        string topic = options.Get("topic", "perf-" + Guid.NewGuid().ToString("N")[..8]);
        long warmup = options.GetLong("warmup-records", 0);
        if (warmup > 0)
        {
            // The same run on a topic of its own, unreported, so the JIT of both sides is done before measuring.
            TextWriter console = Console.Out;
            Console.SetOut(TextWriter.Null);
            try
            {
                await KafkaRunAsync(options, bootstrap, topic + "-warmup", warmup, produce || consume, produce || consume, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Console.SetOut(console);
            }

            await KafkaCluster.DeleteTopicAsync(bootstrap, topic + "-warmup", cancellationToken).ConfigureAwait(false);
        }

        return await KafkaRunAsync(options, bootstrap, topic, options.GetLong("num-records", 1_000_000), produce, consume, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> KafkaRunAsync(PerfOptions options, string bootstrap, string topic, long numRecords, bool produce, bool consume, CancellationToken cancellationToken)
    {
        int recordSize = options.GetInt("record-size", 100);
        int partitions = options.GetInt("partitions", 1);
        int producers = options.GetInt("producers", 1);
        int consumers = options.GetInt("consumers", 1);
        KafkaCluster cluster = await KafkaCluster.LoadAsync(bootstrap, topic, partitions, options.Get("create", "true") == "true" || topic.EndsWith("-warmup", StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);

        var producerSettings = new ProducerSettings(
            topic, numRecords, recordSize,
            options.GetDouble("throughput", -1),
            (short)options.GetInt("acks", 1),
            options.GetInt("batch-size", 16384),
            options.GetDouble("linger-ms", 0),
            options.Get("compression", "none") switch
            {
                "none" => CompressionCodec.None,
                "gzip" => CompressionCodec.Gzip,
                "snappy" => CompressionCodec.Snappy,
                "lz4" => CompressionCodec.Lz4,
                "zstd" => CompressionCodec.Zstd,
                var other => throw new ArgumentException($"compression '{other}' is not supported by the load generator (none, gzip, snappy, lz4, zstd)"),
            },
            options.GetInt("max-in-flight", 5));
        var consumerSettings = new ConsumerSettings(
            topic, numRecords,
            options.GetInt("fetch-size", 1 << 20),
            options.GetInt("fetch-max-bytes", 50 << 20),
            options.GetInt("max-wait-ms", 500),
            EndToEnd: produce && consume,
            CheckCrcs: options.Get("check-crcs", "false") == "true",
            IdleTimeout: TimeSpan.FromSeconds(options.GetDouble("idle-timeout-s", 20)));

        var producerLoads = new List<KafkaProducerLoad>();
        var consumerLoads = new List<KafkaConsumerLoad>();
        var progress = new SharedProgress(numRecords);
        var tasks = new List<Task>();
        var gcBefore = GcSnapshot.Take();
        long start = Stopwatch.GetTimestamp();
        bool timeline = options.Get("timeline", "false") == "true";
        void TrackTimeline(LatencyHistogram latency)
        {
            if (timeline)
            {
                latency.TrackWorstPerSecond(start, 3600);
            }
        }

        if (consume)
        {
            for (int c = 0; c < consumers; c++)
            {
                var load = new KafkaConsumerLoad(consumerSettings, cluster, c, consumers, progress);
                TrackTimeline(load.Latency);
                consumerLoads.Add(load);
                tasks.Add(Task.Run(() => load.RunAsync(cancellationToken), cancellationToken));
            }
        }

        if (produce)
        {
            for (int p = 0; p < producers; p++)
            {
                var load = new KafkaProducerLoad(producerSettings, cluster, p, producers);
                TrackTimeline(load.Latency);
                producerLoads.Add(load);
                tasks.Add(Task.Run(() => load.RunAsync(cancellationToken), cancellationToken));
            }
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);

        // The load generator's own collections are in every latency it measures, so they are printed beside them.
        Console.WriteLine(GcSnapshot.Take().Since(gcBefore));
        string settings = string.Join(' ', options.All.Select(kv => $"{kv.Key}={kv.Value}"));
        Console.WriteLine($"# kafka {options.Mode} topic={topic} {settings}");
        if (produce)
        {
            var latency = new LatencyHistogram();
            long acked = 0;
            long errors = 0;
            long last = start;
            foreach (KafkaProducerLoad load in producerLoads)
            {
                latency.Merge(load.Latency);
                acked += load.Acked;
                errors += load.Errors;
                last = Math.Max(last, load.LastAckTicks);
            }

            Report.Print("produce", acked, acked * recordSize, Stopwatch.GetElapsedTime(start, last).TotalSeconds, latency, "ack", errors);
            if (timeline)
            {
                Console.WriteLine($"produce: worst ack latency of each second, ms: {latency.FormatWorstPerSecond()}");
            }
        }

        if (consume)
        {
            var latency = new LatencyHistogram();
            long records = 0;
            long errors = 0;
            foreach (KafkaConsumerLoad load in consumerLoads)
            {
                latency.Merge(load.Latency);
                records += load.Records;
                errors += load.Errors;
            }

            Report.Print("consume", records, records * recordSize, Stopwatch.GetElapsedTime(start, progress.LastTicks).TotalSeconds, produce ? latency : null, "e2e", errors);
            if (timeline && produce)
            {
                Console.WriteLine($"consume: worst e2e latency of each second, ms: {latency.FormatWorstPerSecond()}");
            }
            if (records < numRecords)
            {
                return 1;
            }
        }

        return 0;
    }
}
