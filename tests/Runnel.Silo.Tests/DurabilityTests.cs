using System.Text.RegularExpressions;
using Xunit.Abstractions;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests;

/// <summary>
/// acks=all records survive SIGKILL: a confluent-kafka producer streams numbered records while the silo is
/// killed at random moments and restarted on the same data folder; every acknowledged record must be in
/// the log exactly once, at the offset it was acknowledged with.
/// </summary>
public sealed class DurabilityTests(ITestOutputHelper output)
{
    private static readonly Regex s_ack = new(@"^ACK (\d+) (\d+)$", RegexOptions.Compiled);

    [Fact]
    public async Task AcknowledgedRecordsSurviveSigkill()
    {
        const int kills = 4;
        var random = new Random(4_242);
        using var silo = await SiloProcess.StartNewAsync();
        var topic = TestData.UniqueTopic("durable");
        await using (var connection = await RawKafkaConnection.ConnectAsync(silo.KafkaPort))
        {
            await connection.CreateTopicOrFailAsync(topic);
        }

        var acknowledged = new Dictionary<long, long>(); // record number -> offset
        var runs = new List<string>();
        for (var run = 0; run <= kills; run++)
        {
            var last = run == kills;
            var start = run * 1_000_000L;
            using var producer = RunningProcess.Start(PythonClients.Python,
                [Path.Combine(RepoPaths.PythonScripts, "confluent_client.py"), "durable-produce", "--bootstrap", silo.BootstrapServers,
                 "--topic", topic, "--start", start.ToString(CultureInfo.InvariantCulture), "--count", last ? "2000" : "200000"],
                RepoPaths.PythonScripts, new Dictionary<string, string?> { ["PYTHONUNBUFFERED"] = "1" });

            ProcessResult result;
            if (last)
            {
                // The final run is not interrupted: the restarted silo must take new writes after the crashes.
                result = await producer.WaitForExitAsync(TimeSpan.FromSeconds(180));
                Assert.True(result.ExitCode == 0 && result.StdoutLines.Contains("DONE"), "final producer run failed\n" + result.Describe() + "\n" + silo.OutputTail());
            }
            else
            {
                var acked = await producer.WaitForLineAsync(l => l.StartsWith("ACK ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
                Assert.True(acked, $"run {run}: no record acknowledged within 60 s\n{(await producer.KillAndCollectAsync()).Describe()}\n{silo.OutputTail()}");
                await Task.Delay(TimeSpan.FromMilliseconds(200 + random.Next(1800)));
                silo.KillHard();
                // Kill the producer too, before the silo is back, so nothing it still holds gets retried into the new silo.
                result = await producer.KillAndCollectAsync();
            }

            var count = 0;
            foreach (var line in result.StdoutLines)
            {
                var match = s_ack.Match(line);
                if (!match.Success)
                {
                    continue;
                }

                var number = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                var offset = long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
                Assert.True(acknowledged.TryAdd(number, offset), $"record {number} was acknowledged twice");
                count++;
            }

            runs.Add($"run {run}: {count} acknowledged");
            Assert.True(count > 0, $"run {run}: no acknowledged records parsed\n{result.Describe()}");
            if (!last)
            {
                await silo.StartAsync();
            }
        }

        // Everything in the log, read by kcat after the last restart.
        silo.KillHard();
        await silo.StartAsync();
        var log = await Kcat.ConsumeAsync(silo, topic);
        var summary = string.Join("; ", runs) + $"; log has {log.Count} records";
        output.WriteLine(summary);
        for (var i = 0; i < log.Count; i++)
        {
            Assert.True(log[i].Offset == i, $"offsets are not dense: position {i} holds offset {log[i].Offset} ({summary})");
        }

        var occurrences = log.GroupBy(r => r.Key).ToDictionary(g => g.Key ?? string.Empty, g => g.Count());
        foreach (var (number, offset) in acknowledged.OrderBy(a => a.Value))
        {
            var key = number.ToString(CultureInfo.InvariantCulture);
            Assert.True(offset < log.Count, $"record {number} was acknowledged at offset {offset} but the log ends at {log.Count} ({summary})\n{silo.OutputTail()}");
            Assert.True(log[(int)offset].Key == key && log[(int)offset].Value == "durable-" + key,
                $"offset {offset} holds key '{log[(int)offset].Key}', acknowledged record {number} expected there ({summary})");
            Assert.True(occurrences[key] == 1, $"acknowledged record {number} is in the log {occurrences[key]} times ({summary})");
        }
    }

    [Fact]
    public async Task TopicsAndRecordsPersistAcrossSigkillRestarts()
    {
        // Auto-creation off: a topic lost in the crash could not silently come back empty.
        using var silo = await SiloProcess.StartNewAsync(new SiloProcessOptions { AutoCreateTopics = false });
        var topic = TestData.UniqueTopic("persist");
        (await PythonClients.RunAsync("kafka_python_client.py", ["create", "--bootstrap", silo.BootstrapServers, "--topic", topic, "--partitions", "3"]))
            .EnsureSuccess("KafkaAdminClient.create_topics failed");
        var first = TestData.Records(topic + "-a", 1_000, ("phase", "before"));
        await Kcat.ProduceAsync(silo, topic, first, "-X", "acks=all");

        silo.KillHard();
        await silo.StartAsync();

        var listing = await Kcat.ListAsync(silo);
        Assert.True(Kcat.PartitionCount(listing, topic) == 3, $"after kill -9 and restart, kcat -L does not show {topic} with 3 partitions:\n{listing}\n{silo.OutputTail()}");
        TestData.AssertSameRecords(first, await Kcat.ConsumeAsync(silo, topic), context: "after the first restart");

        // Appends continue at the recovered end, and survive another crash.
        var second = TestData.Records(topic + "-b", 500, ("phase", "after"));
        await Kcat.ProduceAsync(silo, topic, second, "-X", "acks=all");
        silo.KillHard();
        await silo.StartAsync();
        TestData.AssertSameRecords([.. first, .. second], await Kcat.ConsumeAsync(silo, topic), context: "after the second restart");
    }
}
