using Runnel.Grains;
using Runnel.Grains.Cluster;
using Runnel.Grains.Metadata;
using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>DeleteRecords: moves a partition's log start offset forward; -1 means up to the high watermark.</summary>
public sealed class DeleteRecordsHandler : KafkaApiHandler<DeleteRecordsRequest, DeleteRecordsResponse>
{
    private readonly TopicService _topics;
    private readonly ClusterView _cluster;

    public DeleteRecordsHandler(TopicService topics, ClusterView cluster)
    {
        _topics = topics;
        _cluster = cluster;
    }

    public override ApiKey Key => ApiKey.DeleteRecords;

    public override short MinVersion => 0;

    public override short MaxVersion => 2;

    protected override async ValueTask<DeleteRecordsResponse?> HandleAsync(RequestContext context, DeleteRecordsRequest request, CancellationToken cancellationToken)
    {
        var response = new DeleteRecordsResponse();
        foreach (var requestTopic in request.Topics)
        {
            var topicResult = new DeleteRecordsResponse.DeleteRecordsTopicResult { Name = requestTopic.Name };
            response.Topics.Add(topicResult);
            TopicMetadata? topic = await _topics.FindTopicAsync(requestTopic.Name, cancellationToken).ConfigureAwait(false);
            foreach (var partition in requestTopic.Partitions)
            {
                var entry = new DeleteRecordsResponse.DeleteRecordsTopicResult.DeleteRecordsPartitionResult { PartitionIndex = partition.PartitionIndex, LowWatermark = -1 };
                topicResult.Partitions.Add(entry);
                if (topic is null || partition.PartitionIndex < 0 || partition.PartitionIndex >= topic.PartitionCount)
                {
                    entry.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                if (!_cluster.LeadsLocally(topic, partition.PartitionIndex))
                {
                    entry.ErrorCode = (short)ErrorCode.NotLeaderOrFollower;
                    continue;
                }

                long offset = partition.Offset;
                DeleteRecordsOutcome outcome = await _topics.Partition(topic.Name, partition.PartitionIndex).DeleteRecordsAsync(offset).WaitAsync(cancellationToken).ConfigureAwait(false);
                entry.ErrorCode = (short)outcome.Error;
                entry.LowWatermark = outcome.LowWatermark;
            }
        }

        return response;
    }

    protected override ErrorCode FirstError(DeleteRecordsResponse response)
    {
        foreach (var topic in response.Topics)
        {
            foreach (var partition in topic.Partitions)
            {
                if (partition.ErrorCode != 0)
                {
                    return (ErrorCode)partition.ErrorCode;
                }
            }
        }

        return ErrorCode.None;
    }
}
