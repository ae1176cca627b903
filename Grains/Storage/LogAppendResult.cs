using Runnel.Protocol;

namespace Runnel.Grains.Storage;

/// <summary>
/// The outcome of <see cref="PartitionLog.Append"/>. On success <see cref="BaseOffset"/> is the offset of the first
/// record appended, <see cref="LastOffset"/> of the last, and <see cref="LogAppendTimeMs"/> the log clock at append.
/// On error nothing was appended (offsets are -1) and <see cref="Message"/> says why.
/// </summary>
public readonly record struct LogAppendResult(ErrorCode Error, long BaseOffset, long LastOffset, long LogAppendTimeMs, string? Message)
{
    public bool IsSuccess => Error == ErrorCode.None;

    internal static LogAppendResult Failed(ErrorCode error, string message) => new(error, -1, -1, -1, message);
}
