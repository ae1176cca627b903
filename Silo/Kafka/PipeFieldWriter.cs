using System.Buffers.Binary;
using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;

namespace Runnel.Silo.Kafka;

/// <summary>
/// Writes Kafka protocol fields straight into a <see cref="PipeWriter"/>: small fields go into a span taken from the
/// pipe a few hundred bytes at a time, large payloads are copied in with <see cref="WriteRaw"/>. The caller must
/// <see cref="Commit"/> before using the pipe any other way. Mirrors KafkaWriter's encodings.
/// </summary>
internal ref struct PipeFieldWriter
{
    private const int MinimumSpan = 512;

    private readonly PipeWriter _output;
    private Span<byte> _span;
    private int _used;

    public PipeFieldWriter(PipeWriter output)
    {
        _output = output;
        _span = default;
        _used = 0;
        Written = 0;
    }

    /// <summary>Bytes written through this writer, committed or not.</summary>
    public long Written { get; private set; }

    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Take(2), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Take(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Take(8), value);

    public void WriteUuid(Guid value) => value.TryWriteBytes(Take(16), bigEndian: true, out _);

    public void WriteUnsignedVarInt(uint value)
    {
        Span<byte> span = Take(SizeOfUnsignedVarInt(value));
        int i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i] = (byte)value;
    }

    /// <summary>An array, string or bytes length: compact is varint(length + 1), classic an int32 (or int16 for strings).</summary>
    public void WriteLength(int length, bool compact, bool shortPrefix)
    {
        if (compact)
        {
            WriteUnsignedVarInt((uint)(length + 1));
        }
        else if (shortPrefix)
        {
            WriteInt16((short)length);
        }
        else
        {
            WriteInt32(length);
        }
    }

    /// <summary>A non-null string whose UTF-8 length the caller measured (and checked to fit its prefix).</summary>
    public void WriteString(string value, int utf8Length, bool compact)
    {
        WriteLength(utf8Length, compact, shortPrefix: true);
        Encoding.UTF8.GetBytes(value, Take(utf8Length));
    }

    public void WriteEmptyTaggedFields() => Take(1)[0] = 0;

    /// <summary>Copies a payload into the pipe (across as many of its buffers as it takes).</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        Commit();
        _output.Write(bytes);
        Written += bytes.Length;
    }

    /// <summary>Hands the bytes written into the current span to the pipe.</summary>
    public void Commit()
    {
        if (_used > 0)
        {
            _output.Advance(_used);
        }

        _span = default;
        _used = 0;
    }

    public static int SizeOfUnsignedVarInt(uint value) => ((31 - System.Numerics.BitOperations.LeadingZeroCount(value | 1)) / 7) + 1;

    public static int SizeOfLength(int length, bool compact, bool shortPrefix)
        => compact ? SizeOfUnsignedVarInt((uint)(length + 1)) : shortPrefix ? 2 : 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Take(int count)
    {
        if (_span.Length - _used < count)
        {
            Refill(count);
        }

        Span<byte> taken = _span.Slice(_used, count);
        _used += count;
        Written += count;
        return taken;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Refill(int count)
    {
        Commit();
        _span = _output.GetSpan(Math.Max(count, MinimumSpan));
    }
}
