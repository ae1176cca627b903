using Runnel.Client.Network;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Client.Admin;

/// <summary>
/// Cluster administration: topics and partitions, configs, offsets, groups and their lag. Requests that must go
/// to the controller use the controller Metadata names; group requests go to the group's coordinator.
/// Every call retries retriable errors within <see cref="KafkaClientOptions.RetryTimeout"/>.
/// </summary>
public sealed partial class KafkaAdminClient : IAsyncDisposable
{
    private const sbyte TopicResource = 2;
    private readonly KafkaCluster _cluster;

    public KafkaAdminClient(KafkaClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _cluster = new KafkaCluster(options, "Admin");
    }

    /// <summary>Creates topics; fails with TopicAlreadyExists (and others) per topic, as an <see cref="AggregateException"/> of <see cref="KafkaException"/>s when several fail.</summary>
    public async Task CreateTopicsAsync(IEnumerable<TopicSpecification> topics, CancellationToken cancellationToken = default)
    {
        var request = new CreateTopicsRequest { TimeoutMs = (int)_cluster.Options.RequestTimeout.TotalMilliseconds };
        foreach (TopicSpecification spec in topics)
        {
            var topic = new CreateTopicsRequest.CreatableTopic { Name = spec.Name, NumPartitions = spec.NumPartitions, ReplicationFactor = spec.ReplicationFactor };
            foreach (var (name, value) in spec.Configs ?? new Dictionary<string, string>())
            {
                topic.Configs.Add(new CreateTopicsRequest.CreatableTopic.CreatableTopicConfig { Name = name, Value = value });
            }

            request.Topics.Add(topic);
        }

        CreateTopicsResponse response = await ControllerAsync<CreateTopicsResponse>(ApiKey.CreateTopics, request, cancellationToken).ConfigureAwait(false);
        ThrowErrors(response.Topics.Select(t => (t.ErrorCode, $"Creating topic '{t.Name}'", t.ErrorMessage)));
    }

    /// <summary>Deletes topics by name.</summary>
    public async Task DeleteTopicsAsync(IEnumerable<string> topics, CancellationToken cancellationToken = default)
    {
        var request = new DeleteTopicsRequest { TimeoutMs = (int)_cluster.Options.RequestTimeout.TotalMilliseconds };
        foreach (string topic in topics)
        {
            request.TopicNames.Add(topic);
            request.Topics.Add(new DeleteTopicsRequest.DeleteTopicState { Name = topic });
        }

        DeleteTopicsResponse response = await ControllerAsync<DeleteTopicsResponse>(ApiKey.DeleteTopics, request, cancellationToken).ConfigureAwait(false);
        ThrowErrors(response.Responses.Select(t => (t.ErrorCode, $"Deleting topic '{t.Name}'", t.ErrorMessage)));
    }

    /// <summary>Grows a topic to <paramref name="totalPartitions"/> partitions.</summary>
    public async Task CreatePartitionsAsync(string topic, int totalPartitions, CancellationToken cancellationToken = default)
    {
        var request = new CreatePartitionsRequest { TimeoutMs = (int)_cluster.Options.RequestTimeout.TotalMilliseconds };
        request.Topics.Add(new CreatePartitionsRequest.CreatePartitionsTopic { Name = topic, Count = totalPartitions, Assignments = null });
        CreatePartitionsResponse response = await ControllerAsync<CreatePartitionsResponse>(ApiKey.CreatePartitions, request, cancellationToken).ConfigureAwait(false);
        ThrowErrors(response.Results.Select(t => (t.ErrorCode, $"Creating partitions of '{t.Name}'", t.ErrorMessage)));
    }

    /// <summary>Describes topics (null: every topic) from fresh metadata.</summary>
    public async Task<IReadOnlyList<TopicDescription>> DescribeTopicsAsync(IReadOnlyCollection<string>? topics = null, CancellationToken cancellationToken = default)
    {
        ClusterMetadata metadata = await _cluster.RetryAsync("Metadata", ct => _cluster.RefreshAsync(topics, allowAutoCreate: false, ct), cancellationToken).ConfigureAwait(false);
        var result = new List<TopicDescription>();
        IEnumerable<string> names = topics ?? metadata.Topics.Keys;
        foreach (string name in names)
        {
            TopicInfo? info = metadata.Topic(name);
            if (info is null || info.Error != ErrorCode.None)
            {
                ErrorCode error = info?.Error ?? ErrorCode.UnknownTopicOrPartition;
                throw new KafkaException(error, $"Describing topic '{name}': {error}.");
            }

            result.Add(new TopicDescription(name, info.TopicId, false, [.. info.Partitions.Select(p => new PartitionDescription(p.Partition, p.Leader, p.LeaderEpoch))]));
        }

        return result;
    }

    /// <summary>The topic names of the cluster.</summary>
    public async Task<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken = default) =>
        [.. (await DescribeTopicsAsync(null, cancellationToken).ConfigureAwait(false)).Select(t => t.Name).Order(StringComparer.Ordinal)];

    /// <summary>A topic's configs (DescribeConfigs).</summary>
    public async Task<IReadOnlyDictionary<string, ConfigEntry>> DescribeTopicConfigsAsync(string topic, CancellationToken cancellationToken = default)
    {
        var request = new DescribeConfigsRequest();
        request.Resources.Add(new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = TopicResource, ResourceName = topic, ConfigurationKeys = null });
        DescribeConfigsResponse response = await AnyAsync<DescribeConfigsResponse>(ApiKey.DescribeConfigs, request, cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, ConfigEntry>(StringComparer.Ordinal);
        foreach (DescribeConfigsResponse.DescribeConfigsResult resource in response.Results)
        {
            KafkaErrors.ThrowIfError(resource.ErrorCode, $"Describing the configs of '{topic}'", resource.ErrorMessage);
            foreach (DescribeConfigsResponse.DescribeConfigsResult.DescribeConfigsResourceResult c in resource.Configs)
            {
                bool isDefault = c.IsDefault || c.ConfigSource == 5;
                result[c.Name] = new ConfigEntry(c.Name, c.Value, isDefault, c.ReadOnly, c.IsSensitive);
            }
        }

        return result;
    }

    /// <summary>Changes a topic's configs (IncrementalAlterConfigs): set, delete (back to default), append, subtract.</summary>
    public async Task IncrementalAlterTopicConfigsAsync(string topic, IEnumerable<ConfigChange> changes, CancellationToken cancellationToken = default)
    {
        var resource = new IncrementalAlterConfigsRequest.AlterConfigsResource { ResourceType = TopicResource, ResourceName = topic };
        foreach (ConfigChange change in changes)
        {
            resource.Configs.Add(new IncrementalAlterConfigsRequest.AlterConfigsResource.AlterableConfig { Name = change.Name, Value = change.Value, ConfigOperation = (sbyte)change.Operation });
        }

        var request = new IncrementalAlterConfigsRequest();
        request.Resources.Add(resource);
        IncrementalAlterConfigsResponse response = await AnyAsync<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, request, cancellationToken).ConfigureAwait(false);
        ThrowErrors(response.Responses.Select(r => (r.ErrorCode, $"Altering the configs of '{r.ResourceName}'", r.ErrorMessage)));
    }

    /// <summary>Offsets by partition: <see cref="Offsets.Beginning"/>, <see cref="Offsets.End"/>, or a timestamp in Unix ms (first offset at or after it; -1 when none).</summary>
    public async Task<IReadOnlyDictionary<TopicPartition, long>> ListOffsetsAsync(IEnumerable<TopicPartition> partitions, long spec, CancellationToken cancellationToken = default)
    {
        long timestamp = spec == Offsets.Beginning ? OffsetLookup.Earliest : spec == Offsets.End ? OffsetLookup.Latest : spec;
        return await OffsetLookup.ListAsync(_cluster, [.. partitions.Select(p => (p, timestamp))], cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();

    private Task<TResponse> ControllerAsync<TResponse>(ApiKey key, IKafkaMessage request, CancellationToken cancellationToken)
        where TResponse : IKafkaMessage, new() =>
        _cluster.RetryAsync(key.ToString(), async ct =>
        {
            ClusterMetadata metadata = _cluster.Metadata;
            if (metadata.ControllerId < 0 || !metadata.Brokers.ContainsKey(metadata.ControllerId))
            {
                metadata = await _cluster.RefreshAsync([], allowAutoCreate: false, ct).ConfigureAwait(false);
            }

            BrokerConnection connection = metadata.ControllerId >= 0
                ? await _cluster.GetConnectionAsync(metadata.ControllerId, ct).ConfigureAwait(false)
                : await _cluster.GetAnyConnectionAsync(ct).ConfigureAwait(false);
            return await connection.SendAsync<TResponse>(key, request, ct).ConfigureAwait(false);
        }, cancellationToken);

    private Task<TResponse> AnyAsync<TResponse>(ApiKey key, IKafkaMessage request, CancellationToken cancellationToken)
        where TResponse : IKafkaMessage, new() =>
        _cluster.RetryAsync(key.ToString(), async ct =>
        {
            BrokerConnection connection = await _cluster.GetAnyConnectionAsync(ct).ConfigureAwait(false);
            return await connection.SendAsync<TResponse>(key, request, ct).ConfigureAwait(false);
        }, cancellationToken);

    private static void ThrowErrors(IEnumerable<(short Code, string Context, string? Message)> results)
    {
        var errors = new List<KafkaException>();
        foreach (var (code, context, message) in results)
        {
            if (code != 0)
            {
                errors.Add(new KafkaException((ErrorCode)code, ClientThrowHelper.Describe((ErrorCode)code, context, message)));
            }
        }

        if (errors.Count == 1)
        {
            throw errors[0];
        }

        if (errors.Count > 1)
        {
            throw new AggregateException(errors);
        }
    }
}
