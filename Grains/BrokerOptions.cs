using Microsoft.Extensions.Options;

namespace Runnel.Grains;

/// <summary>The broker's silo-wide settings: where data lives, durability, and topics made on demand.</summary>
public sealed class BrokerOptions
{
    /// <summary>This silo's broker (node) id: Kafka clients address it by this id, and it must be unique in a cluster. Default 0 (<c>--node-id</c>).</summary>
    public int NodeId { get; set; }

    /// <summary>Data folder: metadata at its root, partition logs under logs/. Default <c>.data/silo</c> under the working directory; made absolute at start.</summary>
    public string DataPath { get; set; } = Path.Combine(".data", "silo");

    /// <summary>fsync interval of partition logs in milliseconds (a topic's flush.ms overrides it). Default 1000. Writes reach the OS before every acknowledgement regardless.</summary>
    public int FlushIntervalMs { get; set; } = 1000;

    /// <summary>How often each partition applies retention.ms and retention.bytes. Default 30 s.</summary>
    public TimeSpan RetentionCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether acks=-1 (all) is answered only after the batch is fsynced, in a group commit shared with every append
    /// made meanwhile. Default true: on one silo there are no replicas to hold the data, so "all" means the disk.
    /// </summary>
    public bool AcksAllFsync { get; set; } = true;

    /// <summary>Kafka's auto.create.topics.enable: create unknown topics on Metadata when the client allows it. Default true.</summary>
    public bool AutoCreateTopics { get; set; } = true;

    /// <summary>Kafka's num.partitions: partitions of an auto-created topic, and of CreateTopics with -1. Default 1.</summary>
    public int DefaultPartitions { get; set; } = 1;

    /// <summary>
    /// Whether the topic metadata lives in the blob store every silo of a cluster shares (set by the host when it
    /// joins a cluster) instead of a file of the data folder. Default false: one silo.
    /// </summary>
    public bool SharedMetadata { get; set; }

    public string LogsPath => Path.Combine(DataPath, "logs");
}

/// <summary>Refuses broker options no silo can run with, naming the setting.</summary>
public sealed class BrokerOptionsValidator : IValidateOptions<BrokerOptions>
{
    public ValidateOptionsResult Validate(string? name, BrokerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataPath))
        {
            failures.Add("The data folder (--data) must not be empty.");
        }
        else if (CannotWrite(options.DataPath) is { } reason)
        {
            failures.Add($"The data folder '{options.DataPath}' (--data) cannot be used: {reason}");
        }

        if (options.FlushIntervalMs < 0)
        {
            failures.Add($"The flush interval (--flush-interval-ms) must be at least 0, not {options.FlushIntervalMs}.");
        }

        if (options.RetentionCheckInterval < TimeSpan.FromMilliseconds(10))
        {
            failures.Add($"The retention check interval (--retention-check-interval-ms) must be at least 10 ms, not {options.RetentionCheckInterval.TotalMilliseconds} ms.");
        }

        if (options.NodeId < 0)
        {
            failures.Add($"--node-id must be at least 0, not {options.NodeId}.");
        }

        if (options.DefaultPartitions is < 1 or > 100_000)
        {
            failures.Add($"The default partition count (--num-partitions) must be from 1 to 100000, not {options.DefaultPartitions}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Creates the folder if needed and writes a probe file in it: the silo must find out now, not at its first append.</summary>
    private static string? CannotWrite(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            string probe = Path.Combine(path, ".write-probe");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ex.Message;
        }
    }
}
