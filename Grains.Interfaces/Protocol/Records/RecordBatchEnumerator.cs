namespace Runnel.Records;

/// <summary>One batch of a records blob: where it starts, its header and its bytes (exactly <see cref="RecordBatchHeader.TotalSize"/>).</summary>
public readonly ref struct RecordBatchEntry
{
    public RecordBatchEntry(int offset, RecordBatchHeader header, ReadOnlySpan<byte> bytes)
    {
        Offset = offset;
        Header = header;
        Bytes = bytes;
    }

    /// <summary>Offset of the batch in the blob.</summary>
    public int Offset { get; }
    public RecordBatchHeader Header { get; }
    public ReadOnlySpan<byte> Bytes { get; }
}

/// <summary>
/// Walks the v2 batches of a records blob (e.g. a validated produce payload or a stored segment slice). It checks only the
/// framing it needs to move on (length and magic); run <see cref="RecordBatchValidator"/> first for CRC and content checks.
/// It stops at the first batch it cannot frame: <see cref="IsMalformed"/> then tells so and <see cref="Position"/> where.
/// A trailing partial batch (as in a fetch response cut at max bytes) also stops it with <see cref="IsMalformed"/> set.
/// </summary>
public ref struct RecordBatchEnumerator
{
    private readonly ReadOnlySpan<byte> _records;
    private RecordBatchEntry _current;

    public RecordBatchEnumerator(ReadOnlySpan<byte> records)
    {
        _records = records;
        Position = 0;
        Failure = RecordValidationFailure.None;
        _current = default;
    }

    /// <summary>Offset in the blob just past the last batch yielded.</summary>
    public int Position { get; private set; }

    /// <summary>Why the walk stopped before the end of the blob, or None.</summary>
    public RecordValidationFailure Failure { get; private set; }

    public readonly bool IsMalformed => Failure != RecordValidationFailure.None;

    public readonly RecordBatchEntry Current => _current;

    public readonly RecordBatchEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (Position >= _records.Length || IsMalformed)
        {
            return false;
        }

        ReadOnlySpan<byte> rest = _records[Position..];
        Failure = RecordBatchValidator.FrameBatch(rest, out int totalSize);
        if (Failure != RecordValidationFailure.None)
        {
            return false;
        }

        ReadOnlySpan<byte> batch = rest[..totalSize];
        _current = new RecordBatchEntry(Position, RecordBatchHeader.Read(batch), batch);
        Position += totalSize;
        return true;
    }
}
