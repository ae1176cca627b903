using System.Diagnostics;
using Runnel.Client.Admin;
using Runnel.Client.Producer;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Client.Benchmarks;

/// <summary>
/// Produces the same records (null key, a fixed printable value, one partition) with Runnel.Client and with kcat
/// (librdkafka) into one silo, with matching settings: acks=all, idempotence on, linger, batch bytes, no
/// compression. kcat reads the records from a file (<c>-l</c>); its time is the process's wall time, start-up included.
/// </summary>
internal static class ProducerBenchmark
{
    public static async Task<int> RunAsync(BenchmarkSettings settings)
    {
        using SiloProcess silo = await SiloProcess.StartNewAsync();
        Console.WriteLine($"silo {silo.BootstrapServers} ({RepoPaths.SiloDll}); linger {settings.Linger} ms, batch {settings.BatchBytes} bytes, acks=all, idempotent, no compression");
        var rows = new List<(int Size, int Count, string Client, TimeSpan Elapsed)>();
        await RunnelAsync(silo, settings, "warmup", 50_000, settings.SmallSize); // JIT and connections, not reported
        foreach (var (count, size) in new[] { (settings.SmallCount, settings.SmallSize), (settings.LargeCount, settings.LargeSize) })
        {
            rows.Add((size, count, "kcat (librdkafka 2.0.2)", await KcatAsync(silo, settings, count, size)));
            rows.Add((size, count, "Runnel.Client", await RunnelAsync(silo, settings, $"runnel-{size}", count, size)));
        }

        Console.WriteLine();
        Console.WriteLine("| record | count | client | seconds | records/s | MB/s | Runnel/kcat |");
        Console.WriteLine("|---:|---:|---|---:|---:|---:|---:|");
        foreach (var group in rows.GroupBy(r => r.Size))
        {
            double kcatRate = group.First(r => r.Client.StartsWith("kcat", StringComparison.Ordinal)).Count / group.First(r => r.Client.StartsWith("kcat", StringComparison.Ordinal)).Elapsed.TotalSeconds;
            foreach (var (size, count, client, elapsed) in group)
            {
                double rate = count / elapsed.TotalSeconds;
                string ratio = client.StartsWith("Runnel", StringComparison.Ordinal) ? (rate / kcatRate).ToString("0.00", CultureInfo.InvariantCulture) + "x" : "";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {size} B | {count:N0} | {client} | {elapsed.TotalSeconds:0.00} | {rate:N0} | {rate * size / 1e6:0.0} | {ratio} |"));
            }
        }

        return 0;
    }

    private static async Task<TimeSpan> RunnelAsync(SiloProcess silo, BenchmarkSettings settings, string prefix, int count, int size)
    {
        string topic = $"{prefix}-{Guid.NewGuid():N}"[..24];
        byte[] value = Value(size);
        var options = new ProducerOptions
        {
            BootstrapServers = silo.BootstrapServers,
            Linger = TimeSpan.FromMilliseconds(settings.Linger),
            BatchSize = settings.BatchBytes,
            MaxRequestSize = Math.Max(ProducerOptions.DefaultMaxRequestSize, settings.BatchBytes + 4096),
        };
        await using var producer = new KafkaProducer<byte[]?, byte[]>(options);
        await producer.ProduceAsync(new ProducerRecord<byte[]?, byte[]>(topic, null, value) { Partition = 0 }); // create the topic
        var record = new ProducerRecord<byte[]?, byte[]>(topic, null, value) { Partition = 0 };
        var stopwatch = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            await producer.EnqueueAsync(record);
        }

        await producer.FlushAsync();
        stopwatch.Stop();
        await VerifyAsync(silo, topic, count + 1);
        return stopwatch.Elapsed;
    }

    private static async Task<TimeSpan> KcatAsync(SiloProcess silo, BenchmarkSettings settings, int count, int size)
    {
        string topic = $"kcat-{size}-{Guid.NewGuid():N}"[..24];
        string file = Path.Combine(Path.GetTempPath(), $"runnel-bench-{size}-{count}.txt");
        string line = System.Text.Encoding.ASCII.GetString(Value(size));
        await using (var writer = new StreamWriter(file))
        {
            for (int i = 0; i < count; i++)
            {
                await writer.WriteAsync(line);
                await writer.WriteAsync('\n');
            }
        }

        await using (var admin = new KafkaAdminClient(new KafkaClientOptions { BootstrapServers = silo.BootstrapServers }))
        {
            await admin.CreateTopicsAsync([new TopicSpecification(topic, 1)]);
        }

        var stopwatch = Stopwatch.StartNew();
        ProcessResult result = await RunningProcess.RunAsync("kcat",
            ["-P", "-b", silo.BootstrapServers, "-t", topic, "-p", "0", "-X", $"linger.ms={settings.Linger}", "-X", "batch.num.messages=100000",
             "-X", $"batch.size={settings.BatchBytes}", "-X", "enable.idempotence=true", "-X", "acks=all", "-X", "queue.buffering.max.kbytes=32768", "-l", file],
            timeout: TimeSpan.FromMinutes(10));
        stopwatch.Stop();
        File.Delete(file);
        result.EnsureSuccess("kcat -P failed");
        await VerifyAsync(silo, topic, count);
        return stopwatch.Elapsed;
    }

    private static async Task VerifyAsync(SiloProcess silo, string topic, long expected)
    {
        await using var admin = new KafkaAdminClient(new KafkaClientOptions { BootstrapServers = silo.BootstrapServers });
        var partition = new TopicPartition(topic, 0);
        long end = (await admin.ListOffsetsAsync([partition], Offsets.End))[partition];
        if (end != expected)
        {
            throw new InvalidOperationException($"{topic} has {end} records, {expected} expected.");
        }
    }

    private static byte[] Value(int size)
    {
        var value = new byte[size];
        for (int i = 0; i < size; i++)
        {
            value[i] = (byte)('a' + ((i * 7) % 26));
        }

        return value;
    }
}
