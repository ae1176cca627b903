using Microsoft.Extensions.Options;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Runnel.Grains.Cluster;
using Runnel.Grains.Metadata;
using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Records;

namespace Runnel.Grains.Groups;

/// <summary>
/// Committed offsets of every group: the offsets topic is the truth, this is its materialized view, loaded once
/// when the silo starts (<see cref="LoadAsync"/>) and kept current by the writes of the group grains. Each group's
/// entries change only in turns of that group's grain (one writer per group); any thread may read them, so
/// OffsetFetch and the HTTP endpoints never queue behind a rebalance.
/// </summary>
public sealed partial class OffsetStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<GroupTopicPartition, CommittedOffset>> _groups = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<int, Task<long>> _partitionLoads = new();
    private readonly TopicService _topics;
    private readonly ClusterView _cluster;
    private readonly GroupCoordinatorOptions _settings;
    private readonly ILogger<OffsetStore> _logger;

    public OffsetStore(TopicService topics, ClusterView cluster, IOptions<GroupCoordinatorOptions> settings, ILogger<OffsetStore> logger)
    {
        _topics = topics;
        _cluster = cluster;
        _settings = settings.Value;
        _logger = logger;
    }

    /// <summary>Completes once the offsets topic has been read; group grains wait for it when they activate.</summary>
    public Task WhenLoaded => _loaded.Task;

    /// <summary>Wall-clock time (Unix ms) the load finished: groups not seen since are taken as empty from then on.</summary>
    public long LoadedAtMs { get; private set; }

    public IEnumerable<string> Groups => _groups.Where(g => !g.Value.IsEmpty).Select(g => g.Key);

    public bool HasOffsets(string group) => _groups.TryGetValue(group, out var offsets) && !offsets.IsEmpty;

    public bool TryGet(string group, string topic, int partition, out CommittedOffset? offset)
    {
        offset = null;
        return _groups.TryGetValue(group, out var offsets) && offsets.TryGetValue(new GroupTopicPartition(topic, partition), out offset);
    }

    /// <summary>A snapshot of a group's offsets, ordered by topic and partition.</summary>
    public IReadOnlyList<KeyValuePair<GroupTopicPartition, CommittedOffset>> GetAll(string group)
        => _groups.TryGetValue(group, out var offsets)
            ? offsets.OrderBy(e => e.Key.Topic, StringComparer.Ordinal).ThenBy(e => e.Key.Partition).ToList()
            : [];

    /// <summary>
    /// Appends the changes (a null offset is a tombstone) to the group's partition of the offsets topic as one batch,
    /// acks=all, and applies them to the view once the append succeeded. Call only from the group's grain.
    /// </summary>
    public async Task<ErrorCode> WriteAsync(string group, IReadOnlyList<KeyValuePair<GroupTopicPartition, CommittedOffset?>> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            return ErrorCode.None;
        }

        if (!_topics.TryGetTopic(OffsetsTopic.Name, out TopicMetadata? topic))
        {
            return ErrorCode.CoordinatorNotAvailable;
        }

        var builder = new RecordBatchBuilder();
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach ((GroupTopicPartition key, CommittedOffset? value) in changes)
        {
            builder.Add(now, OffsetRecordCodec.EncodeKey(group, key.Topic, key.Partition), value is null ? null : OffsetRecordCodec.EncodeValue(value));
        }

        ReadOnlyMemory<byte> batch = builder.ToArray();
        int partition = OffsetsTopic.PartitionFor(group, topic.PartitionCount);
        AppendOutcome outcome;
        try
        {
            outcome = await _topics.Partition(OffsetsTopic.Name, partition).AppendAsync(batch, -1);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The offsets partition could not be activated here (it moved, or its log failed to open).
            LogWriteFailed(_logger, group, ex.Message);
            return ErrorCode.CoordinatorNotAvailable;
        }

        if (outcome.Error != ErrorCode.None)
        {
            LogWriteFailed(_logger, group, outcome.ErrorMessage ?? outcome.Error.ToString());
            return ErrorCode.CoordinatorNotAvailable;
        }

        foreach ((GroupTopicPartition key, CommittedOffset? value) in changes)
        {
            Apply(group, key, value);
        }

        return ErrorCode.None;
    }

    private void Apply(string group, GroupTopicPartition key, CommittedOffset? value)
    {
        if (value is null)
        {
            if (_groups.TryGetValue(group, out var offsets))
            {
                offsets.TryRemove(key, out _);
                if (offsets.IsEmpty)
                {
                    _groups.TryRemove(new KeyValuePair<string, ConcurrentDictionary<GroupTopicPartition, CommittedOffset>>(group, offsets));
                }
            }

            return;
        }

        _groups.GetOrAdd(group, _ => new ConcurrentDictionary<GroupTopicPartition, CommittedOffset>())[key] = value;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Committing offsets of group {Group} failed: {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, string group, string reason);
}
