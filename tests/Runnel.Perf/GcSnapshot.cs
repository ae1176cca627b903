using System.Globalization;

namespace Runnel.Perf;

/// <summary>The load generator's garbage collections between two points, to tell its pauses from the broker's.</summary>
public readonly record struct GcSnapshot(int Gen0, int Gen1, int Gen2, TimeSpan Pause, long AllocatedBytes)
{
    public static GcSnapshot Take() => new(
        GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());

    /// <summary>A "GC" line of key=value pairs, like the RESULT lines.</summary>
    public string Since(GcSnapshot before) => string.Create(
        CultureInfo.InvariantCulture,
        $"GC load-generator gen0={Gen0 - before.Gen0} gen1={Gen1 - before.Gen1} gen2={Gen2 - before.Gen2} pause-ms={(Pause - before.Pause).TotalMilliseconds:F1} allocated-mb={(AllocatedBytes - before.AllocatedBytes) / 1e6:F1}");
}
