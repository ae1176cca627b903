using System.Buffers.Binary;
using System.IO.Compression;
using System.Net.Sockets;
using System.Text;

namespace Runnel.Silo.Tests.Infrastructure;

/// <summary>Kafka error codes the tests look at.</summary>
public static class KafkaErrors
{
    public const short None = 0;
    public const short CorruptMessage = 2;
    public const short UnknownTopicOrPartition = 3;
    public const short LeaderNotAvailable = 5;
    public const short NotLeaderOrFollower = 6;
    public const short UnsupportedVersion = 35;
    public const short TopicAlreadyExists = 36;
}

public sealed record ProducePartitionResult(short ErrorCode, long BaseOffset);

public sealed record FetchPartitionResult(short ErrorCode, long HighWatermark, long LastStableOffset, byte[] Records);

public sealed record ApiVersionRange(short ApiKey, short MinVersion, short MaxVersion);
