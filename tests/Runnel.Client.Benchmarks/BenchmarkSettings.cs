namespace Runnel.Client.Benchmarks;

/// <summary>Command-line options of the producer benchmark.</summary>
internal sealed record BenchmarkSettings(int SmallCount, int SmallSize, int LargeCount, int LargeSize, int Linger, int BatchBytes)
{
    public static BenchmarkSettings Parse(string[] args)
    {
        var settings = new BenchmarkSettings(SmallCount: 1_000_000, SmallSize: 100, LargeCount: 300_000, LargeSize: 1024, Linger: 5, BatchBytes: 1_000_000);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            int value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            settings = args[i] switch
            {
                "--small-count" => settings with { SmallCount = value },
                "--small-size" => settings with { SmallSize = value },
                "--large-count" => settings with { LargeCount = value },
                "--large-size" => settings with { LargeSize = value },
                "--linger-ms" => settings with { Linger = value },
                "--batch-bytes" => settings with { BatchBytes = value },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        return settings;
    }
}
