using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Runnel.Grains.Metadata;

namespace Runnel.Grains.Cluster;

/// <summary>
/// Local partition data that another leader's log has superseded: a silo that was declared dead comes back with
/// records only it held, and another node has led the partition since, at offsets above those records. The folder
/// is moved aside under <c>logs/stranded/</c>, reported here (and on <c>/cluster</c>) and in the log, and never
/// served: the records stay for an operator, the partition's offsets stay unique.
/// </summary>
public sealed partial class StrandedLogs
{
    private readonly ConcurrentQueue<StrandedLog> _entries = new();
    private readonly string _root;
    private readonly ILogger<StrandedLogs> _logger;

    public StrandedLogs(IOptions<BrokerOptions> broker, ILogger<StrandedLogs> logger)
    {
        ArgumentNullException.ThrowIfNull(broker);
        _root = Path.Combine(broker.Value.LogsPath, "stranded");
        _logger = logger;
    }

    public IReadOnlyList<StrandedLog> Entries => [.. _entries];

    /// <summary>Moves <paramref name="folder"/> aside if it holds segment files; returns the entry, or null when there was nothing.</summary>
    public StrandedLog? SetAside(TopicMetadata topic, int partition, string folder, int epoch, int newerLeader)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (!Directory.Exists(folder))
        {
            return null;
        }

        long[] baseOffsets = [.. Directory.EnumerateFiles(folder, "*.log")
            .Select(f => long.TryParse(Path.GetFileNameWithoutExtension(f), NumberStyles.None, CultureInfo.InvariantCulture, out long b) ? b : -1)
            .Where(b => b >= 0)
            .Order()];
        if (baseOffsets.Length == 0)
        {
            Directory.Delete(folder, recursive: true);
            return null;
        }

        Directory.CreateDirectory(_root);
        string target = Path.Combine(_root, string.Create(CultureInfo.InvariantCulture, $"{topic.TopicId:N}-{partition}-before-epoch-{epoch}-{DateTimeOffset.UtcNow:yyyyMMddHHmmss}"));
        Directory.Move(folder, target);
        var entry = new StrandedLog(topic.Name, partition, epoch, newerLeader, baseOffsets[0], target);
        _entries.Enqueue(entry);
        LogStranded(_logger, topic.Name, partition, epoch, newerLeader, baseOffsets[0], target);
        return entry;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Topic}/{Partition}: node {Leader} led this partition while this silo was away, so the local log here (segments from offset {FirstOffset}) may hold records that leader never had; it is kept at {Folder}, not served. Claiming epoch {Epoch}")]
    private static partial void LogStranded(ILogger logger, string topic, int partition, int epoch, int leader, long firstOffset, string folder);
}

/// <summary>A partition's local log set aside because another leader superseded it.</summary>
public sealed record StrandedLog(string Topic, int Partition, int ClaimedEpoch, int NewerLeader, long FirstOffset, string Folder);
