using Microsoft.Extensions.Options;
using Runnel.Grains;
using Runnel.Grains.Metadata;
using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>
/// CreateTopics. One silo holds one replica, so a replication factor above 1 is refused with
/// INVALID_REPLICATION_FACTOR rather than silently accepted; -1 means the default for both counts.
/// </summary>
public sealed class CreateTopicsHandler : KafkaApiHandler<CreateTopicsRequest, CreateTopicsResponse>
{
    private readonly TopicService _topics;
    private readonly KafkaListenerOptions _options;
    private readonly BrokerOptions _broker;

    public CreateTopicsHandler(TopicService topics, IOptions<KafkaListenerOptions> options, IOptions<BrokerOptions> broker)
    {
        _topics = topics;
        _options = options.Value;
        _broker = broker.Value;
    }

    public override ApiKey Key => ApiKey.CreateTopics;

    public override short MinVersion => 0;

    public override short MaxVersion => 7;

    protected override async ValueTask<CreateTopicsResponse?> HandleAsync(RequestContext context, CreateTopicsRequest request, CancellationToken cancellationToken)
    {
        var response = new CreateTopicsResponse();
        foreach (var creatable in request.Topics)
        {
            var result = new CreateTopicsResponse.CreatableTopicResult { Name = creatable.Name, NumPartitions = -1, ReplicationFactor = -1 };
            response.Topics.Add(result);
            int partitions = creatable.NumPartitions == -1 ? _broker.DefaultPartitions : creatable.NumPartitions;
            if (creatable.Assignments.Count > 0)
            {
                partitions = creatable.Assignments.Count;
                if (!AssignmentsAreLocal(creatable))
                {
                    Fail(result, ErrorCode.InvalidReplicaAssignment, $"Every replica must be on broker {_options.NodeId}, the only broker.");
                    continue;
                }
            }

            if (creatable.ReplicationFactor is not (-1 or 1))
            {
                Fail(result, ErrorCode.InvalidReplicationFactor, $"Replication factor {creatable.ReplicationFactor} is larger than the 1 available broker.");
                continue;
            }

            if (partitions <= 0)
            {
                Fail(result, ErrorCode.InvalidPartitions, $"Number of partitions must be larger than 0, not {partitions}.");
                continue;
            }

            var configs = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var config in creatable.Configs)
            {
                configs[config.Name] = config.Value;
            }

            TopicOperationResult created = await _topics.CreateTopicAsync(creatable.Name, partitions, configs, request.ValidateOnly).ConfigureAwait(false);
            if (created.Error != ErrorCode.None)
            {
                Fail(result, created.Error, created.Message);
                continue;
            }

            result.NumPartitions = partitions;
            result.ReplicationFactor = 1;
            if (created.Topic is { } topic)
            {
                result.TopicId = topic.TopicId;
            }
        }

        return response;
    }

    private bool AssignmentsAreLocal(CreateTopicsRequest.CreatableTopic creatable)
    {
        foreach (var assignment in creatable.Assignments)
        {
            if (assignment.BrokerIds.Count != 1 || assignment.BrokerIds[0] != _options.NodeId)
            {
                return false;
            }
        }

        return true;
    }

    private static void Fail(CreateTopicsResponse.CreatableTopicResult result, ErrorCode error, string? message)
    {
        result.ErrorCode = (short)error;
        result.ErrorMessage = message;
        result.Configs = null;
    }

    protected override ErrorCode FirstError(CreateTopicsResponse response)
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
