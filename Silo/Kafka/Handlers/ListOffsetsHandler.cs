using Runnel.Grains.Partitions;
using Runnel.Grains.Cluster;
using Runnel.Grains.Metadata;
using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>
/// ListOffsets: earliest (-2), latest (-1), the first offset at or after a timestamp, and from v7 the record with the
/// largest timestamp (-3, KIP-734).
/// </summary>
public sealed class ListOffsetsHandler : KafkaApiHandler<ListOffsetsRequest, ListOffsetsResponse>
{
    private const long Latest = -1;
    private const long Earliest = -2;
    private const long MaxTimestamp = -3;

    /// <summary>The first version that defines <see cref="MaxTimestamp"/>.</summary>
    private const short MaxTimestampVersion = 7;

    private readonly TopicService _topics;
    private readonly ClusterView _cluster;

    public ListOffsetsHandler(TopicService topics, ClusterView cluster)
    {
        _topics = topics;
        _cluster = cluster;
    }

    public override ApiKey Key => ApiKey.ListOffsets;

    // v1 is what librdkafka needs for offsets-by-time; v5 is the lowest @platformatic/kafka implements. v0's
    // multi-offset answer is not offered. v7 because librdkafka 2.16 asks for it before it sends a max-timestamp
    // query (admin ListOffsets with OffsetSpec.MaxTimestamp fails locally below v7); v6 is v5 made flexible. v8 and
    // v9 (earliest-local -4, latest-tiered -5) are not offered: no client here sends them.
    public override short MinVersion => 1;

    public override short MaxVersion => 7;

    protected override async ValueTask<ListOffsetsResponse?> HandleAsync(RequestContext context, ListOffsetsRequest request, CancellationToken cancellationToken)
    {
        var response = new ListOffsetsResponse();
        foreach (var requestTopic in request.Topics)
        {
            var topicResponse = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = requestTopic.Name };
            response.Topics.Add(topicResponse);
            TopicMetadata? topic = await _topics.FindTopicAsync(requestTopic.Name, cancellationToken).ConfigureAwait(false);
            foreach (var requestPartition in requestTopic.Partitions)
            {
                var entry = new ListOffsetsResponse.ListOffsetsTopicResponse.ListOffsetsPartitionResponse { PartitionIndex = requestPartition.PartitionIndex, Timestamp = -1, Offset = -1 };
                topicResponse.Partitions.Add(entry);
                if (topic is null || requestPartition.PartitionIndex < 0 || requestPartition.PartitionIndex >= topic.PartitionCount)
                {
                    entry.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                if (!_cluster.LeadsLocally(topic, requestPartition.PartitionIndex))
                {
                    entry.ErrorCode = (short)ErrorCode.NotLeaderOrFollower;
                    continue;
                }

                IPartitionReader? reader = await _topics.GetReaderAsync(topic, requestPartition.PartitionIndex, cancellationToken).ConfigureAwait(false);
                if (reader is null)
                {
                    entry.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                entry.LeaderEpoch = topic.Assignment(requestPartition.PartitionIndex).Epoch;
                switch (requestPartition.Timestamp)
                {
                    case Latest:
                        // read_committed (v2+) may not see past the first open transaction.
                        entry.Offset = context.ApiVersion >= 2 && request.IsolationLevel == 1 ? reader.LastStableOffset : reader.HighWatermark;
                        break;
                    case Earliest:
                        entry.Offset = reader.LogStartOffset;
                        break;
                    case MaxTimestamp when context.ApiVersion < MaxTimestampVersion:
                        // -3 means nothing before v7; UNSUPPORTED_VERSION tells the client which part it lacks, where
                        // INVALID_REQUEST would read as a broken request.
                        entry.ErrorCode = (short)ErrorCode.UnsupportedVersion;
                        break;
                    case MaxTimestamp:
                        OffsetLookup max = reader.OffsetForTimestamp(MaxTimestamp);
                        entry.Offset = max.Offset;
                        entry.Timestamp = max.Timestamp;
                        break;
                    case < 0:
                        entry.ErrorCode = (short)ErrorCode.InvalidRequest;
                        break;
                    default:
                        OffsetLookup found = reader.OffsetForTimestamp(requestPartition.Timestamp);
                        entry.Offset = found.Offset;
                        entry.Timestamp = found.Timestamp;
                        break;
                }
            }
        }

        return response;
    }

    protected override ErrorCode FirstError(ListOffsetsResponse response)
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
