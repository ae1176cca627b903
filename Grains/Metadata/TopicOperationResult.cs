using Runnel.Protocol;

namespace Runnel.Grains.Metadata;

/// <summary>The outcome of a metadata change: the topic as it is afterwards, or a Kafka error code and message.</summary>
public readonly record struct TopicOperationResult(ErrorCode Error, string? Message, TopicMetadata? Topic)
{
    public bool IsSuccess => Error == ErrorCode.None;

    internal static TopicOperationResult Ok(TopicMetadata topic) => new(ErrorCode.None, null, topic);

    internal static TopicOperationResult Failed(ErrorCode error, string message) => new(error, message, null);
}
