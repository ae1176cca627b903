using Runnel.Protocol;

namespace Runnel.Client;

/// <summary>
/// A Kafka error: either a broker error code (<see cref="ErrorCode"/>) or a client-side failure (network, timeout,
/// unsupported version, record too large). <see cref="IsRetriable"/> tells whether the same call may succeed later.
/// </summary>
public class KafkaException : Exception
{
    public KafkaException()
        : this(ErrorCode.UnknownServerError, "Kafka error.")
    {
    }

    public KafkaException(string message)
        : this(ErrorCode.UnknownServerError, message)
    {
    }

    public KafkaException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = ErrorCode.UnknownServerError;
    }

    public KafkaException(ErrorCode errorCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>The Kafka error code (NetworkException for connection failures, RequestTimedOut for time-outs).</summary>
    public ErrorCode ErrorCode { get; }

    /// <summary>Whether retrying the operation may succeed (Kafka's RetriableException family).</summary>
    public bool IsRetriable => KafkaErrors.IsRetriable(ErrorCode);
}
