using Microsoft.Extensions.Options;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.Cluster;
using Runnel.Grains.Metadata;
using Runnel.Grains.Partitions;
using Runnel.Protocol;

namespace Runnel.Grains.Topics;

/// <summary>
/// The silo's view of topics for request handlers: reads go straight to the metadata store (thread-safe,
/// immutable snapshots); changes go through the topic's grain; partition reads through the partition directory.
/// </summary>
public sealed class TopicService
{
    private readonly BrokerOptions _settings;
    private readonly IGrainFactory _grains;
    private readonly PartitionDirectory _partitions;
    private readonly IBlobStore _blobs;
    // Grain references by partition: GetGrain resolves the interface type and formats the key on every call, about
    // 4% of the silo's CPU at 10,000 partitions where each Produce request names thousands of them.
    private readonly ConcurrentDictionary<(string Topic, int Partition), IPartitionGrain> _partitionGrains = new();
    private ClusterMetadataStore? _store;

    public TopicService(IOptions<BrokerOptions> settings, IGrainFactory grains, PartitionDirectory partitions, IPartitionAssigner assigner, IBlobStore blobs)
    {
        _settings = settings.Value;
        _grains = grains;
        _partitions = partitions;
        _blobs = blobs;
        Assigner = assigner;
    }

    /// <summary>Chooses the leaders of new partitions: the silo itself alone, spread over live silos in a cluster.</summary>
    public IPartitionAssigner Assigner { get; }

    public ClusterMetadataStore Store => _store ?? throw new InvalidOperationException("The metadata store is not open yet.");

    public string ClusterId => Store.ClusterId;

    /// <summary>
    /// Opens (or creates) the metadata: a file under the data folder for one silo, the blob every silo shares in a
    /// cluster. Call once before serving.
    /// </summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_settings.DataPath);
        _store = _settings.SharedMetadata
            ? await ClusterMetadataStore.OpenSharedAsync(_blobs, cancellationToken).ConfigureAwait(false)
            : await ClusterMetadataStore.OpenFileAsync(_settings.DataPath, cancellationToken).ConfigureAwait(false);
    }

    public IReadOnlyList<TopicMetadata> ListTopics() => Store.ListTopics();

    public bool TryGetTopic(string name, [NotNullWhen(true)] out TopicMetadata? topic) => Store.TryGetTopic(name, out topic);

    public bool TryGetTopic(Guid topicId, [NotNullWhen(true)] out TopicMetadata? topic) => Store.TryGetTopic(topicId, out topic);

    /// <summary>
    /// The topic as the newest stored metadata names it: a silo of a cluster rereads the shared metadata before it
    /// calls a name unknown, so a topic created through one silo is known at once to every other (a client that
    /// creates a topic and asks another silo about it right away must not be told it does not exist).
    /// </summary>
    public async ValueTask<TopicMetadata?> FindTopicAsync(string name, CancellationToken cancellationToken)
    {
        if (TryGetTopic(name, out TopicMetadata? topic) || !_settings.SharedMetadata)
        {
            return topic;
        }

        await Store.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return TryGetTopic(name, out topic) ? topic : null;
    }

    /// <summary>As <see cref="FindTopicAsync(string, CancellationToken)"/>, by topic id.</summary>
    public async ValueTask<TopicMetadata?> FindTopicAsync(Guid topicId, CancellationToken cancellationToken)
    {
        if (TryGetTopic(topicId, out TopicMetadata? topic) || !_settings.SharedMetadata)
        {
            return topic;
        }

        await Store.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return TryGetTopic(topicId, out topic) ? topic : null;
    }

    public Task<long> AllocateProducerIdAsync(CancellationToken cancellationToken) => Store.AllocateProducerIdAsync(cancellationToken);

    public async Task<TopicOperationResult> CreateTopicAsync(string name, int partitions, IReadOnlyDictionary<string, string?>? configs, bool validateOnly, IReadOnlyList<int>? leaders = null)
    {
        string? invalid = TopicNames.Validate(name);
        if (invalid is not null)
        {
            return new TopicOperationResult(ErrorCode.InvalidTopicException, invalid, null);
        }

        TopicChange change = await Topic(name).CreateAsync(partitions, configs, validateOnly, leaders).ConfigureAwait(false);
        if (!validateOnly)
        {
            await CatchUpAsync(change).ConfigureAwait(false);
        }

        TryGetTopic(name, out TopicMetadata? topic);
        return new TopicOperationResult(change.Error, change.Message, change.Error == ErrorCode.None ? topic : null);
    }

    public async Task<TopicOperationResult> DeleteTopicAsync(string name)
    {
        TopicOperationResult result = await Change(name, g => g.DeleteAsync()).ConfigureAwait(false);
        foreach ((string Topic, int Partition) key in _partitionGrains.Keys)
        {
            if (key.Topic == name)
            {
                _partitionGrains.TryRemove(key, out _);
            }
        }

        return result;
    }

    public Task<TopicOperationResult> CreatePartitionsAsync(string name, int totalCount, bool validateOnly)
        => Change(name, g => g.CreatePartitionsAsync(totalCount, validateOnly));

    public Task<TopicOperationResult> AlterConfigsAsync(string name, IReadOnlyList<TopicConfigChange> changes, bool replaceAll, bool validateOnly)
        => Change(name, g => g.AlterConfigsAsync(changes, replaceAll, validateOnly));

    private async Task<TopicOperationResult> Change(string name, Func<ITopicGrain, Task<TopicChange>> call)
    {
        if (TopicNames.Validate(name) is { } invalid)
        {
            return new TopicOperationResult(ErrorCode.InvalidTopicException, invalid, null);
        }

        TopicChange change = await call(Topic(name)).ConfigureAwait(false);
        await CatchUpAsync(change).ConfigureAwait(false);
        TryGetTopic(name, out TopicMetadata? topic);
        return new TopicOperationResult(change.Error, change.Message, topic);
    }

    /// <summary>
    /// In a cluster the topic's grain may run on another silo and store the change there: this silo rereads the
    /// shared metadata before it answers, so the answer (a new topic's id, its partitions, its configs) and the next
    /// request to this silo see the change.
    /// </summary>
    private async Task CatchUpAsync(TopicChange change)
    {
        // TOPIC_ALREADY_EXISTS too: a creation that lost to one made elsewhere (auto-creation) must see the winner.
        if (_settings.SharedMetadata && change.Error is ErrorCode.None or ErrorCode.TopicAlreadyExists)
        {
            await Store.RefreshAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    public ITopicGrain Topic(string name) => _grains.GetGrain<ITopicGrain>(name);

    public IPartitionGrain Partition(string topic, int partition) =>
        _partitionGrains.TryGetValue((topic, partition), out IPartitionGrain? grain)
            ? grain
            : _partitionGrains.GetOrAdd((topic, partition), static (key, grains) => grains.GetGrain<IPartitionGrain>(PartitionKey.Format(key.Topic, key.Partition)), _grains);

    /// <summary>
    /// The reader of an open partition, activating the partition grain (and opening its log) if needed; null when
    /// the partition cannot be opened (e.g. its topic was deleted meanwhile).
    /// </summary>
    public async ValueTask<IPartitionReader?> GetReaderAsync(TopicMetadata topic, int partition, CancellationToken cancellationToken)
    {
        if (_partitions.TryGet(topic.Name, partition, out IPartitionReader? reader))
        {
            return reader;
        }

        try
        {
            await Partition(topic.Name, partition).GetOffsetsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The activation failed (its topic was deleted meanwhile, or the log could not be opened).
            return null;
        }

        return _partitions.TryGet(topic.Name, partition, out reader) ? reader : null;
    }

    /// <summary>Logs live under logs/{topic id}, so a topic re-created with the same name never sees old files.</summary>
    public string TopicPath(TopicMetadata topic) => Path.Combine(_settings.LogsPath, topic.TopicId.ToString("N", CultureInfo.InvariantCulture));

    public string PartitionPath(TopicMetadata topic, int partition) => Path.Combine(TopicPath(topic), partition.ToString(CultureInfo.InvariantCulture));
}
