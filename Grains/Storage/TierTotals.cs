namespace Runnel.Grains.Storage;

/// <summary>Segments and bytes per tier, and the upload lag, summed over logs for the metrics.</summary>
public record struct TierTotals(
    long HotSegments,
    long HotBytes,
    long LocalSegments,
    long LocalBytes,
    long RemoteSegments,
    long RemoteBytes,
    long LagSegments,
    long LagBytes)
{
    public readonly TierTotals Add(TierTotals b) => new(
        HotSegments + b.HotSegments,
        HotBytes + b.HotBytes,
        LocalSegments + b.LocalSegments,
        LocalBytes + b.LocalBytes,
        RemoteSegments + b.RemoteSegments,
        RemoteBytes + b.RemoteBytes,
        LagSegments + b.LagSegments,
        LagBytes + b.LagBytes);
}
