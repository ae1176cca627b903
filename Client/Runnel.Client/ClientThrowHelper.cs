using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Runnel.Protocol;

namespace Runnel.Client;

/// <summary>Out-of-line throws, so that hot methods stay small.</summary>
internal static class ClientThrowHelper
{
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowKafka(ErrorCode code, string context, string? brokerMessage = null) =>
        throw new KafkaException(code, Describe(code, context, brokerMessage));

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowObjectDisposed(string name) => throw new ObjectDisposedException(name);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowInvalidOperation(string message) => throw new InvalidOperationException(message);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowArgument(string message, string paramName) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowRecordTooLarge(int size, int limit, string setting) =>
        throw new KafkaException(ErrorCode.MessageTooLarge,
            $"The record is {size} bytes when serialized, larger than {setting} ({limit} bytes); it was not sent.");

    public static string Describe(ErrorCode code, string context, string? brokerMessage) =>
        brokerMessage is null
            ? $"{context}: {code} ({(int)code})."
            : $"{context}: {code} ({(int)code}): {brokerMessage}";
}
