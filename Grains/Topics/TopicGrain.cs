using Runnel.Grains.Cluster;
using Runnel.Grains.Metadata;
using Runnel.Grains.Partitions;
using Runnel.Grains.Tiering;

namespace Runnel.Grains.Topics;

/// <summary>
/// Applies changes to one topic: writes them to the metadata store and tells the topic's open partitions.
/// Deleting a topic closes its partitions and removes their files.
/// </summary>
[GrainType(GrainTypes.Topic)]
public sealed class TopicGrain : Grain, ITopicGrain
{
    private readonly TopicService _topics;
    private readonly PartitionDirectory _directory;
    private readonly TieredStorage _storage;

    public TopicGrain(TopicService topics, PartitionDirectory directory, TieredStorage storage)
    {
        _topics = topics;
        _directory = directory;
        _storage = storage;
    }

    private string Name => this.GetPrimaryKeyString();

    public async Task<TopicChange> CreateAsync(int partitionCount, IReadOnlyDictionary<string, string?>? configs, bool validateOnly, IReadOnlyList<int>? leaders)
        => ToChange(await _topics.Store.CreateTopicAsync(Name, partitionCount, configs, validateOnly, leaders is null ? _topics.Assigner : new FixedPartitionAssigner(leaders)));

    public async Task<TopicChange> DeleteAsync()
    {
        if (!_topics.Store.TryGetTopic(Name, out TopicMetadata? topic))
        {
            return new TopicChange(Protocol.ErrorCode.UnknownTopicOrPartition, $"Topic '{Name}' does not exist.");
        }

        TopicOperationResult deleted = await _topics.Store.DeleteTopicAsync(Name);
        if (!deleted.IsSuccess)
        {
            return ToChange(deleted);
        }

        // The topic is gone from metadata first, so no partition re-opens while its files are removed. An open
        // partition closes and removes its blobs itself; a closed one (not read since the silo started) still has
        // its tiered segments, which nothing would ever reference again.
        for (int p = 0; p < topic.PartitionCount; p++)
        {
            if (_directory.TryGet(Name, p, out _))
            {
                await _topics.Partition(Name, p).DeleteAsync();
            }
            else
            {
                _storage.DeletePartitionInBackground(topic.TopicId, p);
            }
        }

        string path = _topics.TopicPath(topic);
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        return new TopicChange(Protocol.ErrorCode.None, null);
    }

    public async Task<TopicChange> CreatePartitionsAsync(int totalCount, bool validateOnly)
        => ToChange(await _topics.Store.CreatePartitionsAsync(Name, totalCount, validateOnly, _topics.Assigner));

    public async Task<TopicChange> AlterConfigsAsync(IReadOnlyList<TopicConfigChange> changes, bool replaceAll, bool validateOnly)
    {
        TopicOperationResult result = replaceAll
            ? await _topics.Store.ReplaceTopicConfigAsync(Name, AsSettings(changes), validateOnly)
            : await _topics.Store.AlterTopicConfigAsync(Name, changes, validateOnly);
        if (result.IsSuccess && !validateOnly && result.Topic is { } topic)
        {
            for (int p = 0; p < topic.PartitionCount; p++)
            {
                if (_directory.TryGet(Name, p, out _))
                {
                    await _topics.Partition(Name, p).ReloadConfigAsync();
                }
            }
        }

        return ToChange(result);
    }

    /// <summary>The legacy AlterConfigs sends whole values: each change is a SET (a null value means no override).</summary>
    private static List<KeyValuePair<string, string?>> AsSettings(IReadOnlyList<TopicConfigChange> changes)
    {
        var settings = new List<KeyValuePair<string, string?>>(changes.Count);
        foreach (TopicConfigChange change in changes)
        {
            settings.Add(new(change.Name, change.Value));
        }

        return settings;
    }

    private static TopicChange ToChange(TopicOperationResult result) => new(result.Error, result.Message);
}
