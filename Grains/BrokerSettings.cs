namespace Runnel.Grains;

/// <summary>Silo-wide settings the broker's grains need; the silo fills them from its options.</summary>
public sealed class BrokerSettings
{
    /// <summary>Absolute path of the silo's data folder: metadata at its root, partition logs under logs/.</summary>
    public required string DataPath { get; init; }

    /// <summary>fsync interval of partition logs (see LogOptions.FlushIntervalMs).</summary>
    public int FlushIntervalMs { get; init; } = 1000;

    /// <summary>How often each partition applies retention. Default 30 seconds.</summary>
    public TimeSpan RetentionCheckInterval { get; init; } = TimeSpan.FromSeconds(30);

    public string LogsPath => Path.Combine(DataPath, "logs");
}
