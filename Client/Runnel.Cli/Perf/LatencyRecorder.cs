using System.Diagnostics;

namespace Runnel.Cli.Perf;

/// <summary>Every sample kept (microseconds) and sorted once at the end: exact percentiles, 4 bytes a record.</summary>
internal sealed class LatencyRecorder
{
    private readonly Lock _gate = new();
    private readonly List<int> _micros;
    private int[]? _sorted;

    public LatencyRecorder(long expected) => _micros = new List<int>((int)Math.Min(expected, 50_000_000));

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _micros.Count;
            }
        }
    }

    public void AddSince(long startTimestamp)
    {
        double micros = Stopwatch.GetElapsedTime(startTimestamp).TotalMicroseconds;
        lock (_gate)
        {
            _micros.Add((int)Math.Min(micros, int.MaxValue));
        }
    }

    public double MeanMs => Sorted().Length == 0 ? 0 : Sorted().Average(m => (double)m) / 1000;

    public double MaxMs => Sorted().Length == 0 ? 0 : Sorted()[^1] / 1000.0;

    /// <summary>The nearest-rank percentile, in ms.</summary>
    public double PercentileMs(double percentile)
    {
        int[] sorted = Sorted();
        if (sorted.Length == 0)
        {
            return 0;
        }

        int rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)] / 1000.0;
    }

    private int[] Sorted()
    {
        lock (_gate)
        {
            if (_sorted is null || _sorted.Length != _micros.Count)
            {
                _sorted = [.. _micros];
                Array.Sort(_sorted);
            }

            return _sorted;
        }
    }
}
