using System.CommandLine;
using Runnel.Tools.CommandLine;

namespace Runnel.Client.Benchmarks;

/// <summary>Options of the producer benchmark: two runs, small and large records, with the same producer settings.</summary>
internal sealed record BenchmarkSettings(int SmallCount, int SmallSize, int LargeCount, int LargeSize, int Linger, int BatchBytes)
{
    /// <summary>The benchmark's command: every option checked, --help, one-line errors; <paramref name="run"/> gets the settings.</summary>
    public static RootCommand Command(Func<BenchmarkSettings, Task<int>> run)
    {
        Option<int> smallCount = ToolOption.Int("--small-count", "records in the small-record run", 1_000_000, 1);
        Option<int> smallSize = ToolOption.Int("--small-size", "bytes per small record", 100, 1, 1_000_000);
        Option<int> largeCount = ToolOption.Int("--large-count", "records in the large-record run", 300_000, 1);
        Option<int> largeSize = ToolOption.Int("--large-size", "bytes per large record", 1024, 1, 1_000_000);
        Option<int> linger = ToolOption.Int("--linger-ms", "linger.ms of both producers", 5, 0);
        Option<int> batchBytes = ToolOption.Int("--batch-bytes", "batch.size of both producers", 1_000_000, 1, 100 << 20);
        var command = new RootCommand("Producer throughput: Runnel.Client against kcat (librdkafka) into one silo started here, acks=all, idempotent.")
        {
            smallCount, smallSize, largeCount, largeSize, linger, batchBytes,
        };
        command.SetAction((parsed, _) => run(new BenchmarkSettings(
            parsed.GetValue(smallCount), parsed.GetValue(smallSize), parsed.GetValue(largeCount), parsed.GetValue(largeSize), parsed.GetValue(linger), parsed.GetValue(batchBytes))));
        return command;
    }
}
