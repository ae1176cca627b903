using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Runnel.Grains.Storage;
using Runnel.Grains.Topics;
using Runnel.Protocol;

namespace Runnel.Grains.Metadata;

/// <summary>
/// The cluster's metadata on one silo: topics (name, id, partition count, config overrides) and the producer id
/// high-water mark, in one JSON file replaced atomically on every change. Changes are serialized by a lock and
/// made durable before they become visible; reads are lock-free on an immutable snapshot.
/// </summary>
public sealed class ClusterMetadataStore
{
    public const string FileName = "cluster-metadata.json";

    /// <summary>Producer ids are reserved this many at a time, so the file is written once per block, not per id.</summary>
    public const int ProducerIdBlockSize = 1000;

    /// <summary>A guard against typos such as 1000000 partitions; each partition is a folder and an open file.</summary>
    public const int MaxPartitionCount = 100_000;

    private readonly string _path;
    private readonly Lock _lock = new();
    private ImmutableSortedDictionary<string, TopicMetadata> _topics;
    private long _nextProducerId;
    private long _producerIdBlockEnd;

    private ClusterMetadataStore(string path, string clusterId, ImmutableSortedDictionary<string, TopicMetadata> topics, long producerIdBlockEnd)
    {
        _path = path;
        ClusterId = clusterId;
        _topics = topics;
        _nextProducerId = producerIdBlockEnd; // ids below the stored mark may have been used before a crash
        _producerIdBlockEnd = producerIdBlockEnd;
    }

    /// <summary>Generated when the store is first created; Kafka clients see it in Metadata responses.</summary>
    public string ClusterId { get; }

    /// <summary>Loads the store from <paramref name="dataDirectory"/>, creating an empty one the first time.</summary>
    public static ClusterMetadataStore Open(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        Directory.CreateDirectory(dataDirectory);
        string path = Path.Combine(dataDirectory, FileName);
        File.Delete(path + DurableFile.TemporarySuffix); // an interrupted write; the previous file is intact
        if (!File.Exists(path))
        {
            var created = new ClusterMetadataStore(path, NewClusterId(), ImmutableSortedDictionary<string, TopicMetadata>.Empty.WithComparers(StringComparer.Ordinal), 0);
            created.Persist(created._topics, 0);
            return created;
        }

        (string clusterId, ImmutableSortedDictionary<string, TopicMetadata> topics, long producerIdBlockEnd) = MetadataFile.Load(path);
        return new ClusterMetadataStore(path, clusterId, topics, producerIdBlockEnd);
    }

    /// <summary>All topics, sorted by name.</summary>
    public IReadOnlyList<TopicMetadata> ListTopics() => [.. Volatile.Read(ref _topics).Values];

    public bool TryGetTopic(string name, [NotNullWhen(true)] out TopicMetadata? topic) =>
        Volatile.Read(ref _topics).TryGetValue(name, out topic);

    public bool TryGetTopic(Guid topicId, [NotNullWhen(true)] out TopicMetadata? topic)
    {
        foreach (TopicMetadata candidate in Volatile.Read(ref _topics).Values)
        {
            if (candidate.TopicId == topicId)
            {
                topic = candidate;
                return true;
            }
        }

        topic = null;
        return false;
    }

    /// <summary>CreateTopics: validates the name, partition count and configs; with <paramref name="validateOnly"/> nothing is stored.</summary>
    public TopicOperationResult CreateTopic(string name, int partitionCount, IEnumerable<KeyValuePair<string, string?>>? configs = null, bool validateOnly = false)
    {
        if (TopicNames.Validate(name) is { } invalidName)
        {
            return TopicOperationResult.Failed(ErrorCode.InvalidTopicException, invalidName);
        }

        if (CheckPartitionCount(partitionCount) is { } invalidCount)
        {
            return TopicOperationResult.Failed(ErrorCode.InvalidPartitions, invalidCount);
        }

        if (!TopicConfig.TryCreate(configs, out TopicConfig? config, out string? invalidConfig))
        {
            return TopicOperationResult.Failed(ErrorCode.InvalidConfig, invalidConfig);
        }

        lock (_lock)
        {
            if (_topics.ContainsKey(name))
            {
                return TopicOperationResult.Failed(ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists.");
            }

            foreach (string existing in _topics.Keys)
            {
                if (TopicNames.Collide(name, existing))
                {
                    return TopicOperationResult.Failed(
                        ErrorCode.InvalidTopicException,
                        $"Topic '{name}' collides with existing topic '{existing}': '.' and '_' are the same in metric names.");
                }
            }

            var topic = new TopicMetadata(name, Guid.NewGuid(), partitionCount, config);
            return validateOnly ? TopicOperationResult.Ok(topic) : Commit(_topics.Add(name, topic), topic);
        }
    }

    /// <summary>DeleteTopics. The partition data is the caller's to remove; the id is never handed out again.</summary>
    public TopicOperationResult DeleteTopic(string name)
    {
        lock (_lock)
        {
            return _topics.TryGetValue(name, out TopicMetadata? topic)
                ? Commit(_topics.Remove(name), topic)
                : UnknownTopic(name);
        }
    }

    /// <summary>CreatePartitions: raises the partition count to <paramref name="totalCount"/> (it can never shrink).</summary>
    public TopicOperationResult CreatePartitions(string name, int totalCount, bool validateOnly = false)
    {
        lock (_lock)
        {
            if (!_topics.TryGetValue(name, out TopicMetadata? topic))
            {
                return UnknownTopic(name);
            }

            if (totalCount <= topic.PartitionCount)
            {
                return TopicOperationResult.Failed(
                    ErrorCode.InvalidPartitions,
                    $"Topic '{name}' has {topic.PartitionCount} partitions; the new count {totalCount} must be larger.");
            }

            if (CheckPartitionCount(totalCount) is { } invalidCount)
            {
                return TopicOperationResult.Failed(ErrorCode.InvalidPartitions, invalidCount);
            }

            TopicMetadata grown = topic with { PartitionCount = totalCount };
            return validateOnly ? TopicOperationResult.Ok(grown) : Commit(_topics.SetItem(name, grown), grown);
        }
    }

    /// <summary>IncrementalAlterConfigs: a value sets an override, null removes it. All changes apply or none.</summary>
    public TopicOperationResult AlterTopicConfig(string name, IEnumerable<KeyValuePair<string, string?>> changes, bool validateOnly = false) =>
        ChangeConfig(name, validateOnly, topic => topic.Config.TryWith(changes, out TopicConfig? config, out string? error) ? (config, null) : (null, error));

    /// <summary>The legacy AlterConfigs: <paramref name="configs"/> replace all overrides of the topic.</summary>
    public TopicOperationResult ReplaceTopicConfig(string name, IEnumerable<KeyValuePair<string, string?>> configs, bool validateOnly = false) =>
        ChangeConfig(name, validateOnly, _ => TopicConfig.TryCreate(configs, out TopicConfig? config, out string? error) ? (config, null) : (null, error));

    /// <summary>
    /// InitProducerId: a producer id never handed out before, also across restarts. Only the end of the current
    /// block is persisted, so ids of a block unused at a crash are skipped, never reused.
    /// </summary>
    /// <exception cref="IOException">The new block could not be persisted; no id was handed out.</exception>
    public long AllocateProducerId()
    {
        lock (_lock)
        {
            if (_nextProducerId >= _producerIdBlockEnd)
            {
                long blockEnd = _producerIdBlockEnd + ProducerIdBlockSize;
                Persist(_topics, blockEnd);
                _producerIdBlockEnd = blockEnd;
            }

            return _nextProducerId++;
        }
    }

    private TopicOperationResult ChangeConfig(string name, bool validateOnly, Func<TopicMetadata, (TopicConfig? Config, string? Error)> change)
    {
        lock (_lock)
        {
            if (!_topics.TryGetValue(name, out TopicMetadata? topic))
            {
                return UnknownTopic(name);
            }

            (TopicConfig? config, string? error) = change(topic);
            if (config is null)
            {
                return TopicOperationResult.Failed(ErrorCode.InvalidConfig, error ?? "Invalid topic config.");
            }

            TopicMetadata changed = topic with { Config = config };
            return validateOnly ? TopicOperationResult.Ok(changed) : Commit(_topics.SetItem(name, changed), changed);
        }
    }

    /// <summary>Persists, then publishes: nothing is visible that a restart would forget. Called under the lock.</summary>
    private TopicOperationResult Commit(ImmutableSortedDictionary<string, TopicMetadata> topics, TopicMetadata topic)
    {
        try
        {
            Persist(topics, _producerIdBlockEnd);
        }
        catch (IOException e)
        {
            return TopicOperationResult.Failed(ErrorCode.KafkaStorageError, $"The cluster metadata could not be saved: {e.Message}");
        }

        Volatile.Write(ref _topics, topics);
        return TopicOperationResult.Ok(topic);
    }

    private void Persist(ImmutableSortedDictionary<string, TopicMetadata> topics, long producerIdBlockEnd) =>
        MetadataFile.Save(_path, ClusterId, topics, producerIdBlockEnd);

    private static string? CheckPartitionCount(int count) =>
        count is >= 1 and <= MaxPartitionCount ? null : $"Number of partitions must be between 1 and {MaxPartitionCount}; got {count}.";

    private static TopicOperationResult UnknownTopic(string name) =>
        TopicOperationResult.Failed(ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");

    /// <summary>Kafka cluster ids are a UUID in URL-safe base64 without padding (22 characters).</summary>
    private static string NewClusterId() =>
        Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
