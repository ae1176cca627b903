using System.Buffers;
using System.Text;

namespace Runnel.Records;

/// <summary>A header to put on a record: a string key (written as UTF-8) and a value that may be null.</summary>
public readonly record struct RecordHeaderEntry(string Key, byte[]? Value);

/// <summary>
/// Builds one v2 record batch (any of Kafka's codecs) in the layout Kafka producers send: offset deltas 0..n-1,
/// baseTimestamp = the first record's timestamp, maxTimestamp = the largest record timestamp, CRC-32C computed.
/// Records are encoded as they are added, so the caller's buffers are not kept. Not thread-safe; reusable after <see cref="Clear"/>.
/// </summary>
public sealed class RecordBatchBuilder
{
    private const int MaxBatchSize = int.MaxValue - RecordBatchHeader.Size - 1024;
    private readonly ArrayBufferWriter<byte> _records = new();

    /// <exception cref="NotSupportedException"><paramref name="compression"/> is not one of Kafka's codecs.</exception>
    public RecordBatchBuilder(CompressionCodec compression = CompressionCodec.None)
    {
        if (compression > CompressionCodec.Zstd)
        {
            throw new NotSupportedException($"Unknown compression codec {(int)compression}; Kafka's are 0 (none) to 4 (zstd).");
        }

        Compression = compression;
    }

    public CompressionCodec Compression { get; }
    /// <summary>On the codec's own scale (see <see cref="RecordBatchCompression.Compress(CompressionCodec, ReadOnlySpan{byte}, PooledByteBuffer, int?)"/>); null is the codec's default.</summary>
    public int? CompressionLevel { get; set; }
    /// <summary>The baseOffset written; producers send 0 and the broker assigns the real one.</summary>
    public long BaseOffset { get; set; }
    public int PartitionLeaderEpoch { get; set; } = -1;
    public long ProducerId { get; set; } = -1;
    public short ProducerEpoch { get; set; } = -1;
    public int BaseSequence { get; set; } = -1;
    public bool IsTransactional { get; set; }
    /// <summary>A control batch (transaction marker); only brokers write them.</summary>
    public bool IsControl { get; set; }

    /// <summary>Records added so far.</summary>
    public int Count { get; private set; }
    /// <summary>The first record's timestamp, or -1 before any record.</summary>
    public long BaseTimestamp { get; private set; } = -1;
    /// <summary>The largest record timestamp, or -1 before any record.</summary>
    public long MaxTimestamp { get; private set; } = -1;
    /// <summary>Bytes of the uncompressed records region so far.</summary>
    public int UncompressedRecordsSize => _records.WrittenCount;

    /// <summary>Appends a record; <c>null</c> key or value is written as length -1, distinct from an empty array.</summary>
    /// <exception cref="ArgumentException">A header key is null, or the batch would exceed 2 GiB.</exception>
    public RecordBatchBuilder Add(long timestamp, byte[]? key, byte[]? value, params ReadOnlySpan<RecordHeaderEntry> headers)
    {
        if (Count == 0)
        {
            BaseTimestamp = timestamp;
            MaxTimestamp = timestamp;
        }

        long timestampDelta = unchecked(timestamp - BaseTimestamp);
        int offsetDelta = Count;
        int keyLength = key?.Length ?? -1;
        int valueLength = value?.Length ?? -1;

        long body = 1L + Varint.SizeOfVarlong(timestampDelta) + Varint.SizeOfVarint(offsetDelta)
            + Varint.SizeOfVarint(keyLength) + Math.Max(keyLength, 0)
            + Varint.SizeOfVarint(valueLength) + Math.Max(valueLength, 0)
            + Varint.SizeOfVarint(headers.Length);
        foreach (RecordHeaderEntry header in headers)
        {
            ArgumentNullException.ThrowIfNull(header.Key, nameof(headers));
            int headerKeyLength = Encoding.UTF8.GetByteCount(header.Key);
            int headerValueLength = header.Value?.Length ?? -1;
            body += Varint.SizeOfVarint(headerKeyLength) + headerKeyLength + Varint.SizeOfVarint(headerValueLength) + Math.Max(headerValueLength, 0);
        }

        if (body + Varint.MaxVarintSize + _records.WrittenCount > MaxBatchSize)
        {
            throw new ArgumentException("The record batch would exceed the largest possible batch size.");
        }

        int bodyLength = (int)body;
        Span<byte> span = _records.GetSpan(Varint.SizeOfVarint(bodyLength) + bodyLength);
        int pos = Varint.WriteVarint(span, bodyLength);
        span[pos++] = 0; // record attributes: unused
        pos += Varint.WriteVarlong(span[pos..], timestampDelta);
        pos += Varint.WriteVarint(span[pos..], offsetDelta);
        pos += WriteBytes(span[pos..], key);
        pos += WriteBytes(span[pos..], value);
        pos += Varint.WriteVarint(span[pos..], headers.Length);
        foreach (RecordHeaderEntry header in headers)
        {
            int headerKeyLength = Encoding.UTF8.GetByteCount(header.Key);
            pos += Varint.WriteVarint(span[pos..], headerKeyLength);
            pos += Encoding.UTF8.GetBytes(header.Key, span[pos..]);
            pos += WriteBytes(span[pos..], header.Value);
        }

        _records.Advance(pos);
        Count++;
        MaxTimestamp = Math.Max(MaxTimestamp, timestamp);
        return this;
    }

    /// <summary>Writes the batch into <paramref name="writer"/> and returns its size in bytes.</summary>
    /// <exception cref="InvalidOperationException">No record was added (a batch holds at least one).</exception>
    public int WriteTo(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (Count == 0)
        {
            throw new InvalidOperationException("A record batch needs at least one record.");
        }

        using PooledByteBuffer? compressed = Compression == CompressionCodec.None ? null : new PooledByteBuffer(_records.WrittenCount / 2);
        if (compressed is not null)
        {
            RecordBatchCompression.Compress(Compression, _records.WrittenSpan, compressed, CompressionLevel);
        }

        ReadOnlySpan<byte> payload = compressed is null ? _records.WrittenSpan : compressed.WrittenSpan;
        if (payload.Length > MaxBatchSize)
        {
            throw new InvalidOperationException("The compressed records exceed the largest possible batch size.");
        }

        int totalSize = RecordBatchHeader.Size + payload.Length;
        short attributes = (short)((int)Compression | (IsTransactional ? 0x10 : 0) | (IsControl ? 0x20 : 0));
        var header = new RecordBatchHeader
        {
            BaseOffset = BaseOffset,
            BatchLength = totalSize - RecordBatchHeader.LogOverhead,
            PartitionLeaderEpoch = PartitionLeaderEpoch,
            Magic = 2,
            Attributes = attributes,
            LastOffsetDelta = Count - 1,
            BaseTimestamp = BaseTimestamp,
            MaxTimestamp = MaxTimestamp,
            ProducerId = ProducerId,
            ProducerEpoch = ProducerEpoch,
            BaseSequence = BaseSequence,
            RecordCount = Count,
        };

        Span<byte> batch = writer.GetSpan(totalSize)[..totalSize];
        header.Write(batch);
        payload.CopyTo(batch[RecordBatchHeader.Size..]);
        RecordBatchHeader.WriteCrc(batch);
        writer.Advance(totalSize);
        return totalSize;
    }

    /// <summary>The batch as a new array.</summary>
    public byte[] ToArray()
    {
        var writer = new ArrayBufferWriter<byte>(RecordBatchHeader.Size + _records.WrittenCount);
        WriteTo(writer);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Forgets the records (keeps the producer settings) so the builder can make another batch.</summary>
    public void Clear()
    {
        _records.ResetWrittenCount();
        Count = 0;
        BaseTimestamp = -1;
        MaxTimestamp = -1;
    }

    private static int WriteBytes(Span<byte> destination, byte[]? bytes)
    {
        if (bytes is null)
        {
            return Varint.WriteVarint(destination, -1);
        }

        int n = Varint.WriteVarint(destination, bytes.Length);
        bytes.CopyTo(destination[n..]);
        return n + bytes.Length;
    }
}
