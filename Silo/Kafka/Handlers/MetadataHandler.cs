using Microsoft.Extensions.Options;
using Runnel.Grains;
using Runnel.Grains.Metadata;
using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>
/// Metadata: this silo as the only broker, leader and controller of every partition. Creates unknown topics when
/// the silo allows auto-creation and the request does too (always for v0-v3, which have no flag).
/// </summary>
public sealed class MetadataHandler : KafkaApiHandler<MetadataRequest, MetadataResponse>
{
    private readonly TopicService _topics;
    private readonly KafkaListenerOptions _options;
    private readonly BrokerOptions _broker;

    public MetadataHandler(TopicService topics, IOptions<KafkaListenerOptions> options, IOptions<BrokerOptions> broker)
    {
        _topics = topics;
        _options = options.Value;
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
            ControllerId = _options.NodeId,
        };
        response.Brokers.Add(new() { NodeId = _options.NodeId, Host = _options.Host, Port = _options.Port, Rack = null });

        // v0: an empty list means every topic; v1+: null means every topic and empty means none.
        bool allTopics = request.Topics is null || (context.ApiVersion == 0 && request.Topics.Count == 0);
        if (allTopics)
        {
            foreach (TopicMetadata topic in _topics.ListTopics())
            {
                response.Topics.Add(Describe(topic));
            }

            return response;
        }

        bool mayCreate = _broker.AutoCreateTopics && (context.ApiVersion < 4 || request.AllowAutoTopicCreation);
        foreach (var requested in request.Topics!)
        {
            TopicMetadata? topic;
            if (requested.Name is null)
            {
                if (!_topics.TryGetTopic(requested.TopicId, out topic))
                {
                    response.Topics.Add(new() { ErrorCode = (short)ErrorCode.UnknownTopicId, Name = null, TopicId = requested.TopicId });
                    continue;
                }
            }
            else if (!_topics.TryGetTopic(requested.Name, out topic))
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

            response.Topics.Add(Describe(topic!));
        }

        return response;
    }

    private MetadataResponse.MetadataResponseTopic Describe(TopicMetadata topic)
    {
        var entry = new MetadataResponse.MetadataResponseTopic
        {
            Name = topic.Name,
            TopicId = topic.TopicId,
            IsInternal = Runnel.Grains.Groups.OffsetsTopic.IsInternal(topic.Name),
        };
        for (int p = 0; p < topic.PartitionCount; p++)
        {
            entry.Partitions.Add(new()
            {
                PartitionIndex = p,
                LeaderId = _options.NodeId,
                LeaderEpoch = 0,
                ReplicaNodes = [_options.NodeId],
                IsrNodes = [_options.NodeId],
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
