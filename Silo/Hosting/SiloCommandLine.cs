using System.Globalization;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.BlobStorage.Azure;

namespace Runnel.Silo.Hosting;

/// <summary>Parses the silo's command line and environment into <see cref="SiloOptions"/>, with clear errors.</summary>
public static class SiloCommandLine
{
    private static readonly (string Flag, string Env, string Help)[] Known =
    [
        ("--host", "RUNNEL_HOST", "address to listen on (default 127.0.0.1)"),
        ("--port", "RUNNEL_PORT", "Kafka protocol port (default 9092)"),
        ("--http-port", "RUNNEL_HTTP_PORT", "HTTP port for /health and /metrics (default 9644)"),
        ("--data", "RUNNEL_DATA", "data folder (default .data/silo)"),
        ("--node-id", "RUNNEL_NODE_ID", "broker id (default 0)"),
        ("--auto-create-topics", "RUNNEL_AUTO_CREATE_TOPICS", "true|false (default true)"),
        ("--num-partitions", "RUNNEL_NUM_PARTITIONS", "partitions of auto-created topics (default 1)"),
        ("--max-request-bytes", "RUNNEL_MAX_REQUEST_BYTES", "largest request frame (default 104857600)"),
        ("--flush-interval-ms", "RUNNEL_FLUSH_INTERVAL_MS", "fsync interval of logs (default 1000)"),
        ("--acks-all-fsync", "RUNNEL_ACKS_ALL_FSYNC", "answer acks=-1 after a group-commit fsync: true|false (default true)"),
        ("--group-min-session-timeout-ms", "RUNNEL_GROUP_MIN_SESSION_TIMEOUT_MS", "smallest session timeout a group member may ask for (default 6000)"),
        ("--group-max-session-timeout-ms", "RUNNEL_GROUP_MAX_SESSION_TIMEOUT_MS", "largest session timeout a group member may ask for (default 1800000)"),
        ("--group-initial-rebalance-delay-ms", "RUNNEL_GROUP_INITIAL_REBALANCE_DELAY_MS", "wait for more members before a new group's first rebalance (default 3000)"),
        ("--offsets-retention-minutes", "RUNNEL_OFFSETS_RETENTION_MINUTES", "keep an empty group's offsets this long (default 10080)"),
        ("--offsets-topic-partitions", "RUNNEL_OFFSETS_TOPIC_PARTITIONS", "partitions of __consumer_offsets when it is created (default 8)"),
        ("--retention-check-interval-ms", "RUNNEL_RETENTION_CHECK_INTERVAL_MS", "how often retention runs per partition (default 30000)"),
        ("--cache-bytes", "RUNNEL_CACHE_BYTES", "memory budget for segments (default 25% of RAM, 64 MiB..8 GiB)"),
        ("--blob-store", "RUNNEL_BLOB_STORE", "local|azure (default local)"),
        ("--blob-path", "RUNNEL_BLOB_PATH", "folder of the local blob store (default <data>/blobs)"),
        ("--blob-connection-string", "RUNNEL_BLOB_CONNECTION_STRING", "Azure Storage connection string (azure only)"),
        ("--blob-container", "RUNNEL_BLOB_CONTAINER", "Azure container (default runnel)"),
        ("--blob-retry-mode", "RUNNEL_BLOB_RETRY_MODE", "Azure retries: exponential|fixed (default exponential)"),
        ("--blob-max-retries", "RUNNEL_BLOB_MAX_RETRIES", "Azure retries of a failed request (default 5)"),
        ("--blob-retry-delay-ms", "RUNNEL_BLOB_RETRY_DELAY_MS", "Azure wait before the first retry (default 200)"),
        ("--blob-retry-max-delay-ms", "RUNNEL_BLOB_RETRY_MAX_DELAY_MS", "Azure longest wait between retries (default 30000)"),
        ("--blob-network-timeout-ms", "RUNNEL_BLOB_NETWORK_TIMEOUT_MS", "Azure per-attempt wait for a response (default 100000)"),
        ("--tier-upload-concurrency", "RUNNEL_TIER_UPLOAD_CONCURRENCY", "segment uploads in flight (default 2)"),
        ("--tier-interval-ms", "RUNNEL_TIER_INTERVAL_MS", "tiering tick per partition (default 1000)"),
        ("--tier-cleaner-interval-ms", "RUNNEL_TIER_CLEANER_INTERVAL_MS", "orphaned-blob sweep interval (default 300000)"),
        ("--tier-orphan-grace-ms", "RUNNEL_TIER_ORPHAN_GRACE_MS", "age before an unreferenced blob is deleted (default 3600000)"),
    ];

    public static string Usage
    {
        get
        {
            var lines = new List<string> { "Usage: Runnel.Silo [options]" };
            foreach ((string flag, string env, string help) in Known)
            {
                lines.Add($"  {flag,-22} {help} [{env}]");
            }

            return string.Join(Environment.NewLine, lines);
        }
    }

    /// <summary>Parses; throws <see cref="ArgumentException"/> with a message meant for the user on bad input.</summary>
    public static SiloOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string flag, string env, _) in Known)
        {
            string? fromEnv = environment(env);
            if (!string.IsNullOrEmpty(fromEnv))
            {
                values[flag] = fromEnv;
            }
        }

        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string flag = arg;
            string? value = null;
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                flag = arg[..eq];
                value = arg[(eq + 1)..];
            }

            if (!IsKnown(flag))
            {
                throw new ArgumentException($"Unknown option '{arg}'.{Environment.NewLine}{Usage}");
            }

            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"Option '{flag}' needs a value.");
                }

                value = args[++i];
            }

            values[flag] = value;
        }

        var options = new SiloOptions();
        var groupSettings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string flag, string value) in values)
        {
            if (flag.StartsWith("--group-", StringComparison.Ordinal) || flag.StartsWith("--offsets-", StringComparison.Ordinal))
            {
                groupSettings[EnvironmentName(flag)] = value;
                continue;
            }

            Apply(options, flag, value);
        }

        // Group settings keep their own parser (it names the variable in its errors); the command line wins over the environment.
        try
        {
            options.Groups = Runnel.Grains.Groups.GroupSettings.FromEnvironment(name => groupSettings.GetValueOrDefault(name) ?? environment(name));
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException(NameFlags(ex.Message), ex);
        }

        return options;
    }

    /// <summary>Errors from settings parsed by variable name also name the option ("--x (RUNNEL_X)").</summary>
    private static string NameFlags(string message)
    {
        foreach ((string flag, string env, _) in Known)
        {
            if (message.Contains(env, StringComparison.Ordinal))
            {
                return message.Replace(env, $"{flag} ({env})", StringComparison.Ordinal);
            }
        }

        return message;
    }

    private static string EnvironmentName(string flag)
    {
        foreach ((string known, string env, _) in Known)
        {
            if (known == flag)
            {
                return env;
            }
        }

        return flag;
    }

    private static bool IsKnown(string flag)
    {
        foreach ((string known, _, _) in Known)
        {
            if (known == flag)
            {
                return true;
            }
        }

        return false;
    }

    private static void Apply(SiloOptions options, string flag, string value)
    {
        switch (flag)
        {
            case "--host": options.Host = value; break;
            case "--port": options.Port = Int(flag, value, 0, 65535); break;
            case "--http-port": options.HttpPort = Int(flag, value, 0, 65535); break;
            case "--data": options.DataPath = value; break;
            case "--node-id": options.NodeId = Int(flag, value, 0, int.MaxValue); break;
            case "--auto-create-topics": options.AutoCreateTopics = Bool(flag, value); break;
            case "--num-partitions": options.DefaultPartitions = Int(flag, value, 1, 100_000); break;
            case "--max-request-bytes": options.MaxRequestBytes = Int(flag, value, 1024, int.MaxValue); break;
            case "--flush-interval-ms": options.FlushIntervalMs = Int(flag, value, 0, int.MaxValue); break;
            case "--acks-all-fsync": options.AcksAllFsync = Bool(flag, value); break;
            case "--retention-check-interval-ms": options.RetentionCheckIntervalMs = Int(flag, value, 10, int.MaxValue); break;
            case "--cache-bytes": options.CacheBytes = Long(flag, value, 0, long.MaxValue); break;
            case "--blob-store": options.BlobStore = BlobStoreKindOf(flag, value); break;
            case "--blob-path": options.BlobPath = value; break;
            case "--blob-connection-string": options.BlobConnectionString = value; break;
            case "--blob-container": options.BlobContainer = value; break;
            case "--blob-retry-mode": options.BlobRetryMode = RetryModeOf(flag, value); break;
            case "--blob-max-retries": options.BlobMaxRetries = Int(flag, value, 0, 100); break;
            case "--blob-retry-delay-ms": options.BlobRetryDelayMs = Int(flag, value, 1, int.MaxValue); break;
            case "--blob-retry-max-delay-ms": options.BlobRetryMaxDelayMs = Int(flag, value, 1, int.MaxValue); break;
            case "--blob-network-timeout-ms": options.BlobNetworkTimeoutMs = Int(flag, value, 1, int.MaxValue); break;
            case "--tier-upload-concurrency": options.TierUploadConcurrency = Int(flag, value, 1, 64); break;
            case "--tier-interval-ms": options.TierIntervalMs = Int(flag, value, 10, int.MaxValue); break;
            case "--tier-cleaner-interval-ms": options.TierCleanerIntervalMs = Int(flag, value, 10, int.MaxValue); break;
            case "--tier-orphan-grace-ms": options.TierOrphanGraceMs = Int(flag, value, 0, int.MaxValue); break;
        }
    }

    private static int Int(string flag, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int result) || result < min || result > max)
        {
            throw new ArgumentException($"Option '{flag}' takes a whole number from {min} to {max}, not '{value}'.");
        }

        return result;
    }

    private static long Long(string flag, string value, long min, long max)
    {
        if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long result) || result < min || result > max)
        {
            throw new ArgumentException($"Option '{flag}' takes a whole number from {min} to {max}, not '{value}'.");
        }

        return result;
    }

    private static BlobStoreKind BlobStoreKindOf(string flag, string value) => value.ToLowerInvariant() switch
    {
        "local" => BlobStoreKind.Local,
        "azure" => BlobStoreKind.Azure,
        _ => throw new ArgumentException($"Option '{flag}' takes local or azure, not '{value}'."),
    };

    private static BlobRetryMode RetryModeOf(string flag, string value) => value.ToLowerInvariant() switch
    {
        "exponential" => BlobRetryMode.Exponential,
        "fixed" => BlobRetryMode.Fixed,
        _ => throw new ArgumentException($"Option '{flag}' takes exponential or fixed, not '{value}'."),
    };

    private static bool Bool(string flag, string value) => value.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => throw new ArgumentException($"Option '{flag}' takes true or false, not '{value}'."),
    };
}
