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
    private readonly KafkaBrokers _brokers;
    private readonly BrokerOptions _broker;

    public CreateTopicsHandler(TopicService topics, KafkaBrokers brokers, IOptions<BrokerOptions> broker)
    {
        _topics = topics;
        _brokers = brokers;
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
            List<int>? leaders = null;
            if (creatable.Assignments.Count > 0)
            {
                partitions = creatable.Assignments.Count;
                leaders = LeadersOf(creatable);
                if (leaders is null)
                {
                    Fail(result, ErrorCode.InvalidReplicaAssignment, "Each partition needs exactly one replica (one replica per partition until replication), on a live broker, and the partitions numbered from 0.");
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

            TopicOperationResult created = await _topics.CreateTopicAsync(creatable.Name, partitions, configs, request.ValidateOnly, leaders).ConfigureAwait(false);
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

    /// <summary>The leader each partition was assigned, or null when an assignment is not one live broker per partition 0..n-1.</summary>
    private List<int>? LeadersOf(CreateTopicsRequest.CreatableTopic creatable)
    {
        var leaders = new int[creatable.Assignments.Count];
        Array.Fill(leaders, -1);
        foreach (var assignment in creatable.Assignments)
        {
            if (assignment.BrokerIds.Count != 1 || !_brokers.TryGet(assignment.BrokerIds[0], out _)
                || assignment.PartitionIndex < 0 || assignment.PartitionIndex >= leaders.Length || leaders[assignment.PartitionIndex] >= 0)
            {
                return null;
            }

            leaders[assignment.PartitionIndex] = assignment.BrokerIds[0];
        }

        return [.. leaders];
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
