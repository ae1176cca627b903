using Runnel.Grains.BlobStorage;
using Runnel.Grains.BlobStorage.Azure;
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
    public string BlobContainer { get; set; } = AzureBlobStoreOptions.DefaultContainer;

    /// <summary>How the Azure SDK spaces retries: exponential or fixed. Default exponential (<c>--blob-retry-mode</c>, RUNNEL_BLOB_RETRY_MODE).</summary>
    public BlobRetryMode BlobRetryMode { get; set; } = BlobRetryMode.Exponential;

    /// <summary>Retries of a failed Azure request after the first attempt. Default 5 (<c>--blob-max-retries</c>, RUNNEL_BLOB_MAX_RETRIES).</summary>
    public int BlobMaxRetries { get; set; } = AzureBlobStoreOptions.DefaultMaxRetries;

    /// <summary>Wait before the first retry, in ms. Default 200 (<c>--blob-retry-delay-ms</c>, RUNNEL_BLOB_RETRY_DELAY_MS).</summary>
    public int BlobRetryDelayMs { get; set; } = (int)AzureBlobStoreOptions.DefaultRetryDelay.TotalMilliseconds;

    /// <summary>Longest wait between retries, in ms. Default 30000 (<c>--blob-retry-max-delay-ms</c>, RUNNEL_BLOB_RETRY_MAX_DELAY_MS).</summary>
    public int BlobRetryMaxDelayMs { get; set; } = (int)AzureBlobStoreOptions.DefaultRetryMaxDelay.TotalMilliseconds;

    /// <summary>Per-attempt wait for a response, in ms. Default 100000 (<c>--blob-network-timeout-ms</c>, RUNNEL_BLOB_NETWORK_TIMEOUT_MS).</summary>
    public int BlobNetworkTimeoutMs { get; set; } = (int)AzureBlobStoreOptions.DefaultNetworkTimeout.TotalMilliseconds;

    /// <summary>Segment uploads in flight across the silo. Default 2 (<c>--tier-upload-concurrency</c>).</summary>
    public int TierUploadConcurrency { get; set; } = 2;

    /// <summary>Tiering tick of each partition (roll idle tail, local retention, uploads), in ms. Default 1000 (<c>--tier-interval-ms</c>).</summary>
    public int TierIntervalMs { get; set; } = 1000;

    /// <summary>How often each partition sweeps blobs its manifest does not reference, in ms. Default 300000 (<c>--tier-cleaner-interval-ms</c>).</summary>
    public int TierCleanerIntervalMs { get; set; } = 300_000;

    /// <summary>Age an unreferenced blob must reach before the sweep deletes it, in ms. Default 3600000 (<c>--tier-orphan-grace-ms</c>).</summary>
    public int TierOrphanGraceMs { get; set; } = 3_600_000;

    /// <summary>The folder of the local blob store.</summary>
    public string LocalBlobPath => Path.GetFullPath(BlobPath ?? Path.Combine(DataPath, "blobs"));

    /// <summary>The Azure blob store these options describe.</summary>
    public AzureBlobStoreOptions ToAzureBlobStoreOptions() => new()
    {
        ConnectionString = BlobConnectionString ?? string.Empty,
        Container = BlobContainer,
        RetryMode = BlobRetryMode,
        MaxRetries = BlobMaxRetries,
        RetryDelay = TimeSpan.FromMilliseconds(BlobRetryDelayMs),
        RetryMaxDelay = TimeSpan.FromMilliseconds(BlobRetryMaxDelayMs),
        NetworkTimeout = TimeSpan.FromMilliseconds(BlobNetworkTimeoutMs),
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
