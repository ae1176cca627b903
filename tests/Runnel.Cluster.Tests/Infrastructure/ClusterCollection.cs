namespace Runnel.Cluster.Tests.Infrastructure;

/// <summary>
/// Every cluster test class runs in this one collection, one class after the other: each starts three silo processes
/// (and its own Azurite), and five such clusters at once on a 2-core machine stall silos long enough for Orleans'
/// failure detector to vote live ones dead, which moves partitions under the tests that assert where they are.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}
