using Runnel.Grains.BlobStorage;
using Runnel.Grains.Storage;
using Runnel.Grains.Tiering;

namespace Runnel.Silo.Hosting;

/// <summary>
/// How one silo runs. Every option has a command-line form and an environment variable; the command line wins.
/// </summary>
public sealed class SiloOptions
{
    /// <summary>Address both listeners bind to. Default 127.0.0.1 (<c>--host</c>, RUNNEL_HOST).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Kafka protocol port. Default 9092 (<c>--port</c>, RUNNEL_PORT).</summary>
    public int Port { get; set; } = 9092;

    /// <summary>HTTP port for /health and /metrics. Default 9644 (<c>--http-port</c>, RUNNEL_HTTP_PORT).</summary>
    public int HttpPort { get; set; } = 9644;

    /// <summary>Folder holding logs and metadata. Default <c>.data/silo</c> under the working directory (<c>--data</c>, RUNNEL_DATA).</summary>
    public string DataPath { get; set; } = Path.Combine(".data", "silo");

    /// <summary>Orleans silo-to-silo port. Default 11111 (<c>--silo-port</c>, RUNNEL_SILO_PORT).</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Orleans gateway port for Orleans clients; 0 = no gateway. Default 30000 (<c>--gateway-port</c>, RUNNEL_GATEWAY_PORT).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Orleans cluster id: silos with the same id form one cluster. Default <c>runnel</c> (<c>--cluster-id</c>, RUNNEL_CLUSTER_ID).</summary>
    public string ClusterId { get; set; } = "runnel";

    /// <summary>Orleans service id: stays the same across deployments of one Runnel. Default <c>runnel</c> (<c>--service-id</c>, RUNNEL_SERVICE_ID).</summary>
    public string ServiceId { get; set; } = "runnel";

    /// <summary>This silo's broker id in Metadata responses. Default 0 (<c>--node-id</c>, RUNNEL_NODE_ID).</summary>
    public int NodeId { get; set; }

    /// <summary>Create unknown topics on Metadata or Produce when the client allows it, as Kafka's auto.create.topics.enable. Default true.</summary>
    public bool AutoCreateTopics { get; set; } = true;

    /// <summary>Partitions of an auto-created topic, and of CreateTopics with -1, as Kafka's num.partitions. Default 1.</summary>
    public int DefaultPartitions { get; set; } = 1;

    /// <summary>Largest request frame accepted, as Kafka's socket.request.max.bytes. Default 100 MiB; larger frames close the connection.</summary>
    public int MaxRequestBytes { get; set; } = 100 * 1024 * 1024;

    /// <summary>Consumer-group settings (session timeout bounds, initial rebalance delay, offsets retention and topic).</summary>
    public Runnel.Grains.Groups.GroupSettings Groups { get; set; } = new();

    /// <summary>
    /// Whether acks=-1 (all) is answered only after the batch is fsynced, in a group commit shared with every append
    /// made meanwhile. Default true: on one silo there are no replicas to hold the data, so "all" means the disk.
    /// acks=1 is answered once the OS has the write either way (<c>--acks-all-fsync</c>, RUNNEL_ACKS_ALL_FSYNC).
    /// </summary>
    public bool AcksAllFsync { get; set; } = true;

    /// <summary>fsync interval of partition logs in milliseconds. Default 1000. Writes reach the OS before every acknowledgement regardless.</summary>
    public int FlushIntervalMs { get; set; } = 1000;

    /// <summary>How often each partition applies retention.ms and retention.bytes, in milliseconds. Default 30000 (<c>--retention-check-interval-ms</c>).</summary>
    public int RetentionCheckIntervalMs { get; set; } = 30_000;

    /// <summary>
    /// Memory budget for segment bytes (the hot cache), in bytes; 0 = the default, 25% of the machine's memory between
    /// 64 MiB and 8 GiB (<c>--cache-bytes</c>, RUNNEL_CACHE_BYTES).
    /// </summary>
    public long CacheBytes { get; set; }

    /// <summary>The blob tier: <c>local</c> (a folder, the default) or <c>azure</c> (<c>--blob-store</c>, RUNNEL_BLOB_STORE).</summary>
    public BlobStoreKind BlobStore { get; set; } = BlobStoreKind.Local;

    /// <summary>
    /// Folder of the local blob store. Default <c>blobs</c> under the data folder; put it elsewhere (another disk) for it
    /// to outlive the data folder (<c>--blob-path</c>, RUNNEL_BLOB_PATH).
    /// </summary>
    public string? BlobPath { get; set; }

    /// <summary>Azure Storage connection string, required with <c>--blob-store azure</c> (<c>--blob-connection-string</c>, RUNNEL_BLOB_CONNECTION_STRING).</summary>
    public string? BlobConnectionString { get; set; }

    /// <summary>Azure container. Default <c>runnel</c> (<c>--blob-container</c>, RUNNEL_BLOB_CONTAINER).</summary>
    public string BlobContainer { get; set; } = "runnel";

    /// <summary>Segment uploads in flight across the silo. Default 2 (<c>--tier-upload-concurrency</c>).</summary>
    public int TierUploadConcurrency { get; set; } = 2;

    /// <summary>Tiering tick of each partition (roll idle tail, local retention, uploads), in ms. Default 1000 (<c>--tier-interval-ms</c>).</summary>
    public int TierIntervalMs { get; set; } = 1000;

    /// <summary>How often each partition sweeps blobs its manifest does not reference, in ms. Default 300000 (<c>--tier-cleaner-interval-ms</c>).</summary>
    public int TierCleanerIntervalMs { get; set; } = 300_000;

    /// <summary>Age an unreferenced blob must reach before the sweep deletes it, in ms. Default 3600000 (<c>--tier-orphan-grace-ms</c>).</summary>
    public int TierOrphanGraceMs { get; set; } = 3_600_000;

    /// <summary>The blob store these options describe.</summary>
    public BlobStoreOptions ToBlobStoreOptions() => new()
    {
        Kind = BlobStore,
        LocalPath = Path.GetFullPath(BlobPath ?? Path.Combine(DataPath, "blobs")),
        ConnectionString = BlobConnectionString,
        Container = BlobContainer,
    };

    /// <summary>The tiering these options describe.</summary>
    public TieringOptions ToTieringOptions() => new()
    {
        CacheBytes = CacheBytes > 0 ? CacheBytes : SegmentCache.DefaultBudgetBytes(),
        UploadConcurrency = TierUploadConcurrency,
        Interval = TimeSpan.FromMilliseconds(TierIntervalMs),
        CleanerInterval = TimeSpan.FromMilliseconds(TierCleanerIntervalMs),
        OrphanGracePeriod = TimeSpan.FromMilliseconds(TierOrphanGraceMs),
    };
}
