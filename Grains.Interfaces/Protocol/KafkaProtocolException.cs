namespace Runnel.Protocol;

/// <summary>
/// Thrown when bytes on the wire do not form a valid Kafka protocol message (truncated input, bad lengths,
/// over-long varints, invalid UTF-8, null where the schema forbids it, ...). This is the only exception the
/// protocol primitives and the generated message code throw for malformed input.
/// </summary>
public sealed class KafkaProtocolException : Exception
{
    public KafkaProtocolException()
        : this("Malformed Kafka protocol message.")
    {
    }

    public KafkaProtocolException(string message)
        : this(message, ErrorCode.CorruptMessage)
    {
    }

    public KafkaProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = ErrorCode.CorruptMessage;
    }

    public KafkaProtocolException(string message, ErrorCode errorCode)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>The Kafka error code a broker should answer with (CorruptMessage unless stated otherwise).</summary>
    public ErrorCode ErrorCode { get; }
}
