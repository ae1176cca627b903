using System.Numerics;

namespace Runnel.Perf;

/// <summary>
/// Latencies in nanoseconds in log-linear buckets (64 per power of two, so about 1.6% resolution) with a fixed
/// footprint: recording is an index computation and an increment, cheap enough to do for every record.
/// One instance per thread; <see cref="Merge"/> combines them at the end.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 6;
    private const int SubBuckets = 1 << SubBucketBits;
    private readonly long[] _counts = new long[(64 - SubBucketBits + 1) * SubBuckets];
    private long _max;
    private double _sum;

    private long[]? _worstPerSecond;
    private long _originTicks;

    public long Count { get; private set; }

    /// <summary>
    /// Also keeps the worst latency of each second from <paramref name="originTicks"/> (a <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp): a tail spread over every second is saturation, one concentrated in a few seconds is a stall.
    /// </summary>
    public void TrackWorstPerSecond(long originTicks, int seconds)
    {
        _originTicks = originTicks;
        _worstPerSecond = new long[seconds];
    }

    /// <summary>Records a latency observed at <paramref name="nowTicks"/>; see <see cref="TrackWorstPerSecond"/>.</summary>
    public void Record(long nanoseconds, long nowTicks)
    {
        Record(nanoseconds);
        if (_worstPerSecond is { } worst)
        {
            long second = (nowTicks - _originTicks) / System.Diagnostics.Stopwatch.Frequency;
            if ((ulong)second < (ulong)worst.Length && nanoseconds > worst[second])
            {
                worst[second] = nanoseconds;
            }
        }
    }

    /// <summary>The worst latency of each second in milliseconds, up to the last second that saw one.</summary>
    public string FormatWorstPerSecond()
    {
        if (_worstPerSecond is not { } worst)
        {
            return string.Empty;
        }

        int last = worst.Length - 1;
        while (last >= 0 && worst[last] == 0)
        {
            last--;
        }

        var text = new System.Text.StringBuilder();
        for (int i = 0; i <= last; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{(i == 0 ? "" : " ")}{worst[i] / 1e6:F1}");
        }

        return text.ToString();
    }

    public void Record(long nanoseconds)
    {
        long value = Math.Max(nanoseconds, 0);
        _counts[IndexOf(value)]++;
        Count++;
        _sum += value;
        if (value > _max)
        {
            _max = value;
        }
    }

    /// <summary>Records <paramref name="count"/> equal samples at once (a batch acknowledged together).</summary>
    public void Record(long nanoseconds, int count)
    {
        long value = Math.Max(nanoseconds, 0);
        _counts[IndexOf(value)] += count;
        Count += count;
        _sum += (double)value * count;
        if (value > _max)
        {
            _max = value;
        }
    }

    public void Merge(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (int i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        _sum += other._sum;
        _max = Math.Max(_max, other._max);
        if (other._worstPerSecond is { } theirs)
        {
            if (_worstPerSecond is null)
            {
                TrackWorstPerSecond(other._originTicks, theirs.Length);
            }

            for (int i = 0; i < Math.Min(theirs.Length, _worstPerSecond!.Length); i++)
            {
                _worstPerSecond[i] = Math.Max(_worstPerSecond[i], theirs[i]);
            }
        }
    }

    public double MeanMs => Count == 0 ? 0 : _sum / Count / 1e6;

    public double MaxMs => _max / 1e6;

    /// <summary>The value at <paramref name="percentile"/> (0-100) in milliseconds, the bucket's upper edge.</summary>
    public double PercentileMs(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(Count * percentile / 100.0));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperEdge(i), _max) / 1e6;
            }
        }

        return _max / 1e6;
    }

    private static int IndexOf(long value)
    {
        if (value < SubBuckets)
        {
            return (int)value;
        }

        int exponent = 63 - BitOperations.LeadingZeroCount((ulong)value);
        int shift = exponent - SubBucketBits;
        return ((shift + 1) << SubBucketBits) + (int)((value >> shift) & (SubBuckets - 1));
    }

    private static long UpperEdge(int index)
    {
        int bucket = index >> SubBucketBits;
        long sub = index & (SubBuckets - 1);
        return bucket == 0 ? sub : ((SubBuckets + sub + 1) << (bucket - 1)) - 1;
    }
}
