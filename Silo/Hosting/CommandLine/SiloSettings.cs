namespace Runnel.Silo.Hosting.CommandLine;

/// <summary>
/// Every setting of the silo. Defaults live on the options classes (documented there and in README.md); a setting
/// left out keeps its default. Configuration sections: Kafka, Http, Clustering, Broker, Groups, Tiering, BlobStore, BlobStore:Azure.
/// </summary>
internal static class SiloSettings
{
    public static readonly SiloSetting[] All =
    [
        new("--host", "RUNNEL_HOST", "address both listeners bind to and Metadata advertises (default 127.0.0.1)", SettingValue.NonEmpty, "Kafka:Host", "Http:Host"),
        new("--port", "RUNNEL_PORT", "Kafka protocol port (default 9092)", SettingValue.Int(0, 65535), "Kafka:Port"),
        new("--http-port", "RUNNEL_HTTP_PORT", "HTTP port for /health, /metrics and /groups (default 9644)", SettingValue.Int(0, 65535), "Http:Port"),
        new("--data", "RUNNEL_DATA", "data folder (default .data/silo under the working directory)", SettingValue.NonEmpty, "Broker:DataPath"),
        new("--node-id", "RUNNEL_NODE_ID", "broker id, unique in a cluster (default 0)", SettingValue.Int(0, int.MaxValue), "Broker:NodeId"),
        new("--advertised-host", "RUNNEL_ADVERTISED_HOST", "host Metadata gives clients (default: --host)", SettingValue.NonEmpty, "Kafka:AdvertisedHost"),
        new("--advertised-port", "RUNNEL_ADVERTISED_PORT", "port Metadata gives clients (default: --port)", SettingValue.Int(1, 65535), "Kafka:AdvertisedPort"),
        new("--clustering", "RUNNEL_CLUSTERING", "membership store: localhost (one silo) | azure-table (default localhost)", SettingValue.OneOf("localhost", "azure-table"), "Clustering:Provider"),
        new("--clustering-connection-string", "RUNNEL_CLUSTERING_CONNECTION_STRING", "connection string of the membership store (azure-table: Azure Table storage or Azurite)", SettingValue.NonEmpty, "Clustering:ConnectionString"),
        new("--silo-host", "RUNNEL_SILO_HOST", "address other silos reach this one at (default 127.0.0.1)", SettingValue.NonEmpty, "Clustering:SiloHost"),
        new("--membership-probe-timeout-ms", "RUNNEL_MEMBERSHIP_PROBE_TIMEOUT_MS", "wait for a silo's probe answer (default 5000)", SettingValue.Milliseconds(100), "Clustering:ProbeTimeout"),
        new("--membership-missed-probes", "RUNNEL_MEMBERSHIP_MISSED_PROBES", "missed probes before a silo is suspected (default 3)", SettingValue.Int(1, 100), "Clustering:MissedProbesLimit"),
        new("--membership-votes-for-death", "RUNNEL_MEMBERSHIP_VOTES_FOR_DEATH", "suspicions that declare a silo dead (default 2)", SettingValue.Int(1, 100), "Clustering:VotesForDeath"),
        new("--membership-table-refresh-ms", "RUNNEL_MEMBERSHIP_TABLE_REFRESH_MS", "how often the membership table is reread (default 60000)", SettingValue.Milliseconds(100), "Clustering:TableRefreshTimeout"),
        new("--silo-port", "RUNNEL_SILO_PORT", "Orleans silo-to-silo port (default 11111)", SettingValue.Int(1, 65535), "Clustering:SiloPort"),
        new("--gateway-port", "RUNNEL_GATEWAY_PORT", "Orleans gateway port for Orleans clients, 0 = none (default 30000)", SettingValue.Int(0, 65535), "Clustering:GatewayPort"),
        new("--cluster-id", "RUNNEL_CLUSTER_ID", "Orleans cluster id (default runnel)", SettingValue.NonEmpty, "Clustering:ClusterId"),
        new("--service-id", "RUNNEL_SERVICE_ID", "Orleans service id (default runnel)", SettingValue.NonEmpty, "Clustering:ServiceId"),
        new("--auto-create-topics", "RUNNEL_AUTO_CREATE_TOPICS", "create unknown topics on Metadata: true|false (default true)", SettingValue.Bool, "Broker:AutoCreateTopics"),
        new("--num-partitions", "RUNNEL_NUM_PARTITIONS", "partitions of auto-created topics (default 1)", SettingValue.Int(1, 100_000), "Broker:DefaultPartitions"),
        new("--max-request-bytes", "RUNNEL_MAX_REQUEST_BYTES", "largest request frame (default 104857600)", SettingValue.Int(1024, int.MaxValue), "Kafka:MaxRequestBytes"),
        new("--flush-interval-ms", "RUNNEL_FLUSH_INTERVAL_MS", "fsync interval of partition logs (default 1000)", SettingValue.Int(0, int.MaxValue), "Broker:FlushIntervalMs"),
        new("--acks-all-fsync", "RUNNEL_ACKS_ALL_FSYNC", "answer acks=-1 after a group-commit fsync: true|false (default true)", SettingValue.Bool, "Broker:AcksAllFsync"),
        new("--retention-check-interval-ms", "RUNNEL_RETENTION_CHECK_INTERVAL_MS", "how often retention runs per partition (default 30000)", SettingValue.Milliseconds(10), "Broker:RetentionCheckInterval"),
        new("--group-min-session-timeout-ms", "RUNNEL_GROUP_MIN_SESSION_TIMEOUT_MS", "smallest session timeout a group member may ask for (default 6000)", SettingValue.Int(1, int.MaxValue), "Groups:MinSessionTimeoutMs"),
        new("--group-max-session-timeout-ms", "RUNNEL_GROUP_MAX_SESSION_TIMEOUT_MS", "largest session timeout a group member may ask for (default 1800000)", SettingValue.Int(1, int.MaxValue), "Groups:MaxSessionTimeoutMs"),
        new("--group-initial-rebalance-delay-ms", "RUNNEL_GROUP_INITIAL_REBALANCE_DELAY_MS", "wait for more members before a new group's first rebalance (default 3000)", SettingValue.Int(0, int.MaxValue), "Groups:InitialRebalanceDelayMs"),
        new("--offsets-retention-minutes", "RUNNEL_OFFSETS_RETENTION_MINUTES", "keep an empty group's offsets this long (default 10080)", SettingValue.Minutes(1), "Groups:OffsetsRetention"),
        new("--offsets-retention-check-interval-ms", "RUNNEL_OFFSETS_RETENTION_CHECK_INTERVAL_MS", "how often expired offsets are looked for (default 600000)", SettingValue.Milliseconds(100), "Groups:OffsetsRetentionCheckInterval"),
        new("--offsets-topic-partitions", "RUNNEL_OFFSETS_TOPIC_PARTITIONS", "partitions of __consumer_offsets when it is created (default 8)", SettingValue.Int(1, 100_000), "Groups:OffsetsTopicPartitions"),
        new("--cache-bytes", "RUNNEL_CACHE_BYTES", "memory budget for segments, 0 = 25% of RAM within 64 MiB..8 GiB (default 0)", SettingValue.Long(0, long.MaxValue), "Tiering:CacheBytes"),
        new("--blob-store", "RUNNEL_BLOB_STORE", "the blob tier: local|azure (default local)", SettingValue.OneOf("local", "azure"), "BlobStore:Kind"),
        new("--blob-path", "RUNNEL_BLOB_PATH", "folder of the local blob store (default <data>/blobs)", SettingValue.NonEmpty, "BlobStore:LocalPath"),
        new("--blob-connection-string", "RUNNEL_BLOB_CONNECTION_STRING", "Azure Storage connection string (azure only)", SettingValue.NonEmpty, "BlobStore:Azure:ConnectionString"),
        new("--blob-container", "RUNNEL_BLOB_CONTAINER", "Azure container (default runnel)", SettingValue.NonEmpty, "BlobStore:Azure:Container"),
        new("--blob-retry-mode", "RUNNEL_BLOB_RETRY_MODE", "Azure retries: exponential|fixed (default exponential)", SettingValue.OneOf("exponential", "fixed"), "BlobStore:Azure:RetryMode"),
        new("--blob-max-retries", "RUNNEL_BLOB_MAX_RETRIES", "Azure retries of a failed request (default 5)", SettingValue.Int(0, 100), "BlobStore:Azure:MaxRetries"),
        new("--blob-retry-delay-ms", "RUNNEL_BLOB_RETRY_DELAY_MS", "Azure wait before the first retry (default 200)", SettingValue.Milliseconds(1), "BlobStore:Azure:RetryDelay"),
        new("--blob-retry-max-delay-ms", "RUNNEL_BLOB_RETRY_MAX_DELAY_MS", "Azure longest wait between retries (default 30000)", SettingValue.Milliseconds(1), "BlobStore:Azure:RetryMaxDelay"),
        new("--blob-network-timeout-ms", "RUNNEL_BLOB_NETWORK_TIMEOUT_MS", "Azure per-attempt wait for a response (default 100000)", SettingValue.Milliseconds(1), "BlobStore:Azure:NetworkTimeout"),
        new("--tier-upload-concurrency", "RUNNEL_TIER_UPLOAD_CONCURRENCY", "segment uploads in flight across the silo (default 2)", SettingValue.Int(1, 64), "Tiering:UploadConcurrency"),
        new("--tier-interval-ms", "RUNNEL_TIER_INTERVAL_MS", "tiering tick per partition (default 1000)", SettingValue.Milliseconds(10), "Tiering:Interval"),
        new("--tier-cleaner-interval-ms", "RUNNEL_TIER_CLEANER_INTERVAL_MS", "orphaned-blob sweep interval (default 300000)", SettingValue.Milliseconds(10), "Tiering:CleanerInterval"),
        new("--tier-orphan-grace-ms", "RUNNEL_TIER_ORPHAN_GRACE_MS", "age before an unreferenced blob is deleted (default 3600000)", SettingValue.Milliseconds(0), "Tiering:OrphanGracePeriod"),
    ];
}
