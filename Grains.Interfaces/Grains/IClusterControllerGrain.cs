namespace Runnel.Grains;

/// <summary>
/// The cluster's controller, one grain for the whole cluster (key 0): it gives every partition whose leader is dead
/// (or that has none) a live leader, with a bumped epoch. Every silo calls <see cref="CheckAsync"/> every second,
/// which also brings the controller back on another silo after its own died. Its decisions are stored with
/// compare-and-swap against the partition epochs they were made on, so two activations during a membership change
/// can never both move a partition.
/// </summary>
[Alias("runnel.controller")]
public interface IClusterControllerGrain : IGrainWithIntegerKey
{
    /// <summary>Moves partitions off dead nodes; returns how many moved.</summary>
    [Alias("check")]
    Task<int> CheckAsync();
}
