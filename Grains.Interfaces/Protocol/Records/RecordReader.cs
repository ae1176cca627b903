using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Runnel.Records;

/// <summary>
/// Enumerates the records of one uncompressed v2 batch (or of a decompressed records region, see
/// <see cref="RecordBatchCompression.DecompressRecords"/>). Allocates nothing. On inconsistent framing
/// <see cref="MoveNext"/> throws <see cref="InvalidDataException"/>; a batch that passed
/// <see cref="RecordBatchValidator"/> never makes it throw.
/// </summary>
public ref struct RecordReader
{
    private readonly ReadOnlySpan<byte> _records;
    private readonly long _baseOffset;
    private readonly long _baseTimestamp;
    private readonly int _recordCount;
    private int _position;
    private int _index;
    private RecordView _current;

    /// <summary>Reads the records of <paramref name="batch"/>, one whole uncompressed batch.</summary>
    /// <exception cref="InvalidDataException">The span is shorter than a batch header or than the batch length says.</exception>
    /// <exception cref="NotSupportedException">The batch is compressed: decompress it first.</exception>
    public RecordReader(ReadOnlySpan<byte> batch)
    {
        if (batch.Length < RecordBatchHeader.Size)
        {
            ThrowInvalidData("The span is shorter than a record batch header.");
        }

        var header = RecordBatchHeader.Read(batch);
        if (header.Compression != CompressionCodec.None)
        {
            ThrowCompressed(header.Compression);
        }

        if (header.BatchLength < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead || header.TotalSize > batch.Length)
        {
            ThrowInvalidData("The batch length does not fit the span.");
        }

        this = new RecordReader(header, batch[RecordBatchHeader.Size..header.TotalSize]);
    }

    /// <summary>Reads <paramref name="records"/>, the (decompressed) records region of the batch described by <paramref name="header"/>.</summary>
    public RecordReader(scoped in RecordBatchHeader header, ReadOnlySpan<byte> records)
    {
        _records = records;
        _baseOffset = header.BaseOffset;
        _baseTimestamp = header.BaseTimestamp;
        _recordCount = Math.Max(header.RecordCount, 0);
        _position = 0;
        _index = 0;
        _current = default;
    }

    public readonly RecordView Current => _current;

    public readonly RecordReader GetEnumerator() => this;

    /// <summary>Moves to the next record; false after recordCount records.</summary>
    /// <exception cref="InvalidDataException">The framing is inconsistent.</exception>
    public bool MoveNext()
    {
        if (_index >= _recordCount)
        {
            return false;
        }

        ReadOnlySpan<byte> rest = _records[_position..];
        if (!RecordFraming.TryParse(rest, out RecordLayout layout))
        {
            ThrowInvalidData($"Record {_index} of the batch has inconsistent framing.");
        }

        _current = new RecordView(rest[..layout.TotalSize], layout, _baseOffset, _baseTimestamp);
        _position += layout.TotalSize;
        _index++;
        return true;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInvalidData(string message) => throw new InvalidDataException(message);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowCompressed(CompressionCodec codec) =>
        throw new NotSupportedException($"The batch is {codec}-compressed; decompress it with RecordBatchCompression.DecompressRecords first.");
}

/// <summary>One record of a batch; its spans point into the batch.</summary>
public readonly ref struct RecordView
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly int _keyStart;
    private readonly int _keyLength;
    private readonly int _valueStart;
    private readonly int _valueLength;
    private readonly int _headersStart;
    private readonly int _headersLength;

    internal RecordView(ReadOnlySpan<byte> bytes, scoped in RecordLayout layout, long baseOffset, long baseTimestamp)
    {
        _bytes = bytes;
        Attributes = layout.Attributes;
        TimestampDelta = layout.TimestampDelta;
        OffsetDelta = layout.OffsetDelta;
        Offset = baseOffset + layout.OffsetDelta;
        Timestamp = baseTimestamp + layout.TimestampDelta;
        HeaderCount = layout.HeaderCount;
        _keyStart = layout.KeyStart;
        _keyLength = layout.KeyLength;
        _valueStart = layout.ValueStart;
        _valueLength = layout.ValueLength;
        _headersStart = layout.HeadersStart;
        _headersLength = layout.HeadersLength;
    }

    /// <summary>The record's attributes byte (unused by Kafka so far).</summary>
    public byte Attributes { get; }
    public long TimestampDelta { get; }
    public int OffsetDelta { get; }
    /// <summary>Batch baseOffset + offset delta.</summary>
    public long Offset { get; }
    /// <summary>Batch baseTimestamp + timestamp delta (for CreateTime batches).</summary>
    public long Timestamp { get; }

    public bool IsKeyNull => _keyLength < 0;
    /// <summary>The key; empty for a null key (see <see cref="IsKeyNull"/>).</summary>
    public ReadOnlySpan<byte> Key => _keyLength < 0 ? default : _bytes.Slice(_keyStart, _keyLength);

    public bool IsValueNull => _valueLength < 0;
    /// <summary>The value; empty for a null value (a tombstone, see <see cref="IsValueNull"/>).</summary>
    public ReadOnlySpan<byte> Value => _valueLength < 0 ? default : _bytes.Slice(_valueStart, _valueLength);

    public int HeaderCount { get; }
    public RecordHeaderEnumerator Headers => new(_bytes.Slice(_headersStart, _headersLength), HeaderCount);
}

/// <summary>One record header: a UTF-8 key and a value that may be null.</summary>
public readonly ref struct RecordHeader
{
    public RecordHeader(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool isValueNull)
    {
        Key = key;
        Value = value;
        IsValueNull = isValueNull;
    }

    /// <summary>UTF-8 bytes of the key.</summary>
    public ReadOnlySpan<byte> Key { get; }
    public ReadOnlySpan<byte> Value { get; }
    public bool IsValueNull { get; }
    public string KeyString => System.Text.Encoding.UTF8.GetString(Key);
}

/// <summary>Enumerates the headers of a record (already checked when the record was parsed).</summary>
public ref struct RecordHeaderEnumerator
{
    private readonly ReadOnlySpan<byte> _headers;
    private readonly int _count;
    private int _position;
    private int _index;
    private RecordHeader _current;

    internal RecordHeaderEnumerator(ReadOnlySpan<byte> headers, int count)
    {
        _headers = headers;
        _count = count;
        _position = 0;
        _index = 0;
        _current = default;
    }

    public readonly RecordHeader Current => _current;

    public readonly RecordHeaderEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_index >= _count)
        {
            return false;
        }

        // The record parser validated this region, so the reads cannot fail; check anyway rather than trust.
        bool ok = RecordFraming.TryReadBytes(_headers, ref _position, out int keyStart, out int keyLength) && keyLength >= 0;
        int valueStart = 0;
        int valueLength = 0;
        ok = ok && RecordFraming.TryReadBytes(_headers, ref _position, out valueStart, out valueLength);
        if (!ok)
        {
            ThrowInvalidData();
        }

        _current = new RecordHeader(
            _headers.Slice(keyStart, keyLength),
            valueLength < 0 ? default : _headers.Slice(valueStart, valueLength),
            valueLength < 0);
        _index++;
        return true;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInvalidData() => throw new InvalidDataException("A record header has inconsistent framing.");
}
