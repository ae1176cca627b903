using Microsoft.Extensions.Options;
using Runnel.Grains;
using Runnel.Grains.Cluster;
using Runnel.Grains.Metadata;
using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>
/// Metadata: every live silo as a broker, each partition's leader and epoch as the cluster metadata names them (one
/// silo leads everything on its own), a partition without a live leader as LEADER_NOT_AVAILABLE. Creates unknown
/// topics when the silo allows auto-creation and the request does too (always for v0-v3, which have no flag).
/// </summary>
public sealed class MetadataHandler : KafkaApiHandler<MetadataRequest, MetadataResponse>
{
    private readonly TopicService _topics;
    private readonly ClusterView _cluster;
    private readonly KafkaBrokers _brokers;
    private readonly BrokerOptions _broker;

    public MetadataHandler(TopicService topics, ClusterView cluster, KafkaBrokers brokers, IOptions<BrokerOptions> broker)
    {
        _topics = topics;
        _cluster = cluster;
        _brokers = brokers;
        _broker = broker.Value;
    }

    public override ApiKey Key => ApiKey.Metadata;

    // v0 and v1 for kafka-python's probing; v10+ carry topic ids, which @platformatic/kafka needs for Fetch v13.
    public override short MinVersion => 0;

    public override short MaxVersion => 12;

    protected override async ValueTask<MetadataResponse?> HandleAsync(RequestContext context, MetadataRequest request, CancellationToken cancellationToken)
    {
        var response = new MetadataResponse
        {
            ClusterId = _topics.ClusterId,
            ControllerId = _cluster.ControllerId(),
            // v8-v10 only; the flag reads false at other versions, and v11+ moved it to DescribeCluster.
            ClusterAuthorizedOperations = AuthorizedOperations.When(request.IncludeClusterAuthorizedOperations, AuthorizedOperations.Cluster),
        };
        int topicOperations = AuthorizedOperations.When(request.IncludeTopicAuthorizedOperations, AuthorizedOperations.Topic);
        foreach (KafkaBroker broker in _brokers.Live())
        {
            response.Brokers.Add(new() { NodeId = broker.NodeId, Host = broker.Host, Port = broker.Port, Rack = null });
        }

        // v0: an empty list means every topic; v1+: null means every topic and empty means none.
        bool allTopics = request.Topics is null || (context.ApiVersion == 0 && request.Topics.Count == 0);
        if (allTopics)
        {
            foreach (TopicMetadata topic in _topics.ListTopics())
            {
                response.Topics.Add(Describe(topic, topicOperations));
            }

            return response;
        }

        bool mayCreate = _broker.AutoCreateTopics && (context.ApiVersion < 4 || request.AllowAutoTopicCreation);
        foreach (var requested in request.Topics!)
        {
            TopicMetadata? topic;
            if (requested.Name is null)
            {
                topic = await _topics.FindTopicAsync(requested.TopicId, cancellationToken).ConfigureAwait(false);
                if (topic is null)
                {
                    response.Topics.Add(new() { ErrorCode = (short)ErrorCode.UnknownTopicId, Name = null, TopicId = requested.TopicId });
                    continue;
                }
            }
            else if ((topic = await _topics.FindTopicAsync(requested.Name, cancellationToken).ConfigureAwait(false)) is null)
            {
                if (mayCreate)
                {
                    TopicOperationResult created = await _topics.CreateTopicAsync(requested.Name, _broker.DefaultPartitions, null, validateOnly: false).ConfigureAwait(false);
                    topic = created.Topic;
                    if (topic is null && created.Error != ErrorCode.TopicAlreadyExists)
                    {
                        response.Topics.Add(new() { ErrorCode = (short)created.Error, Name = requested.Name });
                        continue;
                    }

                    topic ??= _topics.TryGetTopic(requested.Name, out TopicMetadata? raced) ? raced : null;
                }

                if (topic is null)
                {
                    response.Topics.Add(new() { ErrorCode = (short)ErrorCode.UnknownTopicOrPartition, Name = requested.Name });
                    continue;
                }
            }

            response.Topics.Add(Describe(topic!, topicOperations));
        }

        return response;
    }

    private MetadataResponse.MetadataResponseTopic Describe(TopicMetadata topic, int authorizedOperations)
    {
        var entry = new MetadataResponse.MetadataResponseTopic
        {
            TopicAuthorizedOperations = authorizedOperations,
            Name = topic.Name,
            TopicId = topic.TopicId,
            IsInternal = Runnel.Grains.Groups.OffsetsTopic.IsInternal(topic.Name) || Runnel.Grains.Transactions.TransactionStateTopic.IsInternal(topic.Name),
        };
        for (int p = 0; p < topic.PartitionCount; p++)
        {
            int leader = _cluster.LeaderOf(topic, p);
            bool available = leader >= 0 && _brokers.TryGet(leader, out _);
            entry.Partitions.Add(new()
            {
                ErrorCode = available ? (short)0 : (short)ErrorCode.LeaderNotAvailable,
                PartitionIndex = p,
                LeaderId = available ? leader : -1,
                LeaderEpoch = topic.Assignment(p).Epoch,
                ReplicaNodes = leader >= 0 ? [leader] : [],
                IsrNodes = available ? [leader] : [],
                OfflineReplicas = leader >= 0 && !available ? [leader] : [],
            });
        }

        return entry;
    }

    protected override ErrorCode FirstError(MetadataResponse response)
    {
        foreach (var topic in response.Topics)
        {
            if (topic.ErrorCode != 0)
            {
                return (ErrorCode)topic.ErrorCode;
            }
        }

        return ErrorCode.None;
    }
}
