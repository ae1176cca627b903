using System.Globalization;
using Runnel.Cli.Output;

namespace Runnel.Cli.Perf;

/// <summary>
/// A perf run's figures, the ones runnel-perf prints: records/s, MB/s (10^6 bytes of record payload) and, for
/// produce, acknowledgement latency avg/p50/p95/p99/p99.9/max in ms.
/// </summary>
internal sealed record PerfResult(string Label, long Records, long PayloadBytes, double Seconds, LatencyRecorder? Latency)
{
    public double RecordsPerSecond => Seconds > 0 ? Records / Seconds : 0;

    public double MegabytesPerSecond => Seconds > 0 ? PayloadBytes / Seconds / 1e6 : 0;

    public void Print(bool json)
    {
        bool hasLatency = Latency is { Count: > 0 };
        if (json)
        {
            Printer.Json(new
            {
                label = Label,
                records = Records,
                bytes = PayloadBytes,
                seconds = Math.Round(Seconds, 3),
                recordsPerSecond = Math.Round(RecordsPerSecond),
                mbPerSecond = Math.Round(MegabytesPerSecond, 2),
                latencyMs = hasLatency ? new
                {
                    avg = Math.Round(Latency!.MeanMs, 3),
                    p50 = Latency.PercentileMs(50),
                    p95 = Latency.PercentileMs(95),
                    p99 = Latency.PercentileMs(99),
                    p999 = Latency.PercentileMs(99.9),
                    max = Latency.MaxMs,
                } : null,
            });
            return;
        }

        string line = string.Create(CultureInfo.InvariantCulture, $"{Label}: {Records} records in {Seconds:F2} s, {RecordsPerSecond:F0} records/sec ({MegabytesPerSecond:F1} MB/sec)");
        if (hasLatency)
        {
            line += string.Create(CultureInfo.InvariantCulture,
                $", ack latency ms: avg {Latency!.MeanMs:F2}, p50 {Latency.PercentileMs(50):F2}, p95 {Latency.PercentileMs(95):F2}, p99 {Latency.PercentileMs(99):F2}, p99.9 {Latency.PercentileMs(99.9):F2}, max {Latency.MaxMs:F2}");
        }

        Printer.Line(line);
    }
}
