using System.Globalization;
using System.Text;

namespace Runnel.Perf;

/// <summary>
/// Prints a result twice: a human line shaped like kafka-producer-perf-test's final line, and a "RESULT" line of
/// key=value pairs that tests/perf/compare.sh parses. MB is 10^6 bytes of record payload (not MiB, unlike the Kafka tool).
/// </summary>
public static class Report
{
    public static void Print(string label, long records, long payloadBytes, double seconds, LatencyHistogram? latency, string latencyKind, long errors = 0)
    {
        double rate = seconds > 0 ? records / seconds : 0;
        double mbps = seconds > 0 ? payloadBytes / seconds / 1e6 : 0;
        var human = new StringBuilder();
        human.Append(CultureInfo.InvariantCulture, $"{label}: {records} records in {seconds:F2} s, {rate:F0} records/sec ({mbps:F1} MB/sec)");
        if (latency is { Count: > 0 })
        {
            human.Append(CultureInfo.InvariantCulture,
                $", {latencyKind} latency ms: avg {latency.MeanMs:F2}, p50 {latency.PercentileMs(50):F2}, p95 {latency.PercentileMs(95):F2}, p99 {latency.PercentileMs(99):F2}, p99.9 {latency.PercentileMs(99.9):F2}, max {latency.MaxMs:F2}");
        }

        if (errors > 0)
        {
            human.Append(CultureInfo.InvariantCulture, $", {errors} errors");
        }

        Console.WriteLine(human.ToString());

        var machine = new StringBuilder("RESULT");
        machine.Append(CultureInfo.InvariantCulture, $" label={label} records={records} seconds={seconds:F3} rps={rate:F0} mbps={mbps:F1} errors={errors}");
        if (latency is { Count: > 0 })
        {
            machine.Append(CultureInfo.InvariantCulture,
                $" kind={latencyKind} p50={latency.PercentileMs(50):F3} p95={latency.PercentileMs(95):F3} p99={latency.PercentileMs(99):F3} p999={latency.PercentileMs(99.9):F3} max={latency.MaxMs:F3}");
        }

        Console.WriteLine(machine.ToString());
    }
}
