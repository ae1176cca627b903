using System.Diagnostics;

namespace Runnel.Perf.Kafka;

/// <summary>
/// Settings of a produce, consume or e2e run: the producer's and the consumer's for the measured topic, and how many
/// of each; <see cref="Given"/> is the options as given on the command line, for the summary line.
/// </summary>
public sealed record KafkaRunSettings(
    string Mode,
    string Bootstrap,
    bool Create,
    long WarmupRecords,
    int Partitions,
    int Producers,
    int Consumers,
    bool Timeline,
    string Given,
    ProducerSettings Producer,
    ConsumerSettings Consumer);

/// <summary>A Kafka run: producers and consumers against one topic, then a RESULT line per side.</summary>
public static class KafkaRun
{
    public static async Task<int> RunAsync(KafkaRunSettings settings, bool produce, bool consume, CancellationToken cancellationToken)
    {
        if (settings.WarmupRecords > 0)
        {
            // The same run on a topic of its own, unreported, so the JIT of both sides is done before measuring.
            string warmupTopic = settings.Producer.Topic + "-warmup";
            KafkaRunSettings warmup = settings with
            {
                Create = true,
                Producer = settings.Producer with { Topic = warmupTopic, NumRecords = settings.WarmupRecords },
                Consumer = settings.Consumer with { Topic = warmupTopic, Messages = settings.WarmupRecords, EndToEnd = true },
            };
            TextWriter console = Console.Out;
            Console.SetOut(TextWriter.Null);
            try
            {
                await RunOnceAsync(warmup, produce: true, consume: true, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Console.SetOut(console);
            }

            await KafkaCluster.DeleteTopicAsync(settings.Bootstrap, warmupTopic, cancellationToken).ConfigureAwait(false);
        }

        return await RunOnceAsync(settings, produce, consume, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> RunOnceAsync(KafkaRunSettings settings, bool produce, bool consume, CancellationToken cancellationToken)
    {
        ProducerSettings producerSettings = settings.Producer;
        ConsumerSettings consumerSettings = settings.Consumer;
        string topic = producerSettings.Topic;
        long numRecords = producerSettings.NumRecords;
        int recordSize = producerSettings.RecordSize;
        int producers = settings.Producers;
        int consumers = settings.Consumers;
        KafkaCluster cluster = await KafkaCluster.LoadAsync(settings.Bootstrap, topic, settings.Partitions, settings.Create, cancellationToken).ConfigureAwait(false);

        var producerLoads = new List<KafkaProducerLoad>();
        var consumerLoads = new List<KafkaConsumerLoad>();
        var progress = new SharedProgress(numRecords);
        var tasks = new List<Task>();
        var gcBefore = GcSnapshot.Take();
        long start = Stopwatch.GetTimestamp();
        bool timeline = settings.Timeline;
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
        Console.WriteLine($"# kafka {settings.Mode} topic={topic} {settings.Given}");
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
