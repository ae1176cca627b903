using System.Globalization;

namespace Runnel.Grains.Tiering;

/// <summary>
/// Where things live in the blob store. A partition's objects share the prefix <c>topics/{topicId}/{partition}/</c>
/// (the topic id, not the name, so a re-created topic never sees an old one's data). Segment objects are named by
/// their offset range and CRC-32C, <c>{baseOffset:D20}-{lastOffset:D20}-{crc:x8}.log</c> plus <c>.index</c>: the same
/// segment always gets the same name, so a retried upload overwrites identical bytes, and a rewritten segment
/// (compaction, later) gets a new name beside the old one until the manifest switches.
/// </summary>
public static class TierBlobNames
{
    /// <summary>The mirrored topic metadata a silo on an empty data folder restores from.</summary>
    public const string ClusterMetadata = "cluster/cluster-metadata.json";

    public const string ManifestFileName = "manifest.json";

    public static string PartitionPrefix(Guid topicId, int partition) =>
        string.Create(CultureInfo.InvariantCulture, $"topics/{topicId:N}/{partition}/");

    public const string LeaseFileName = "leader.json";

    public static string Manifest(string prefix) => prefix + ManifestFileName;

    /// <summary>The partition's leader lease: which node leads at which epoch, and the offsets it may use (see PartitionLease).</summary>
    public static string Lease(string prefix) => prefix + LeaseFileName;

    public static string Segment(string prefix, long baseOffset, long lastOffset, uint crc) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}{baseOffset:D20}-{lastOffset:D20}-{crc:x8}.log");

    public static string Index(string segmentObject) => segmentObject[..^".log".Length] + ".index";
}
