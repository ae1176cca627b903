using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Runnel.Protocol;

/// <summary>Out-of-line throw helpers so the hot read/write paths stay small and inlinable.</summary>
internal static class ProtocolThrowHelper
{
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowTruncated(int needed, int remaining) =>
        throw new KafkaProtocolException($"Truncated message: needed {needed} byte(s) but only {remaining} remain.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowVarIntTooLong() =>
        throw new KafkaProtocolException("Varint is too long or overflows its type.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowInvalidLength(long length, int remaining) =>
        throw new KafkaProtocolException($"Invalid length {length} with {remaining} byte(s) remaining.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowUnexpectedNull() =>
        throw new KafkaProtocolException("A non-nullable field was serialized as null.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowInvalidUtf8() =>
        throw new KafkaProtocolException("String is not valid UTF-8.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowTaggedFieldSizeMismatch(int expectedEnd, int position) =>
        throw new KafkaProtocolException($"Tagged field ended at {position}, its size said {expectedEnd}.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowNullField(string fieldName) =>
        throw new KafkaProtocolException($"Field {fieldName} is null but not nullable in this version.", ErrorCode.InvalidRequest);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowValueTooLong(string what, int length) =>
        throw new KafkaProtocolException($"{what} of {length} byte(s) is too long for its encoding.", ErrorCode.InvalidRequest);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowArgumentOutOfRange(string paramName) =>
        throw new ArgumentOutOfRangeException(paramName);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowUnknownApiKey(short apiKey) =>
        throw new KafkaProtocolException($"Unknown or unsupported API key {apiKey}.", ErrorCode.InvalidRequest);
}
