namespace Runnel.Records;

/// <summary>Where the parts of one record lie, relative to the start of its length prefix.</summary>
internal struct RecordLayout
{
    /// <summary>Bytes of the record including its length prefix.</summary>
    public int TotalSize;
    public byte Attributes;
    public long TimestampDelta;
    public int OffsetDelta;
    public int KeyStart;
    /// <summary>-1 for a null key.</summary>
    public int KeyLength;
    public int ValueStart;
    /// <summary>-1 for a null value.</summary>
    public int ValueLength;
    public int HeaderCount;
    public int HeadersStart;
    public int HeadersLength;
}

/// <summary>The varint framing of records (shared by the validator and the reader). Never throws.</summary>
internal static class RecordFraming
{
    /// <summary>Smallest possible record: length(1) attributes(1) timestampDelta(1) offsetDelta(1) keyLength(1) valueLength(1) headerCount(1).</summary>
    public const int MinRecordSize = 7;

    /// <summary>Parses the record at the start of <paramref name="source"/>; false if its framing is inconsistent.</summary>
    public static bool TryParse(ReadOnlySpan<byte> source, out RecordLayout layout)
    {
        layout = default;
        if (!Varint.TryReadVarint(source, out int bodyLength, out int pos)
            || bodyLength < MinRecordSize - 1
            || bodyLength > source.Length - pos)
        {
            return false;
        }

        int end = pos + bodyLength;
        ReadOnlySpan<byte> s = source[..end];

        layout.Attributes = s[pos++];
        if (!Varint.TryReadVarlong(s[pos..], out layout.TimestampDelta, out int n))
        {
            return false;
        }

        pos += n;
        if (!Varint.TryReadVarint(s[pos..], out layout.OffsetDelta, out n))
        {
            return false;
        }

        pos += n;
        if (!TryReadBytes(s, ref pos, out layout.KeyStart, out layout.KeyLength)
            || !TryReadBytes(s, ref pos, out layout.ValueStart, out layout.ValueLength))
        {
            return false;
        }

        if (!Varint.TryReadVarint(s[pos..], out int headerCount, out n) || headerCount < 0)
        {
            return false;
        }

        pos += n;
        layout.HeaderCount = headerCount;
        layout.HeadersStart = pos;
        for (int i = 0; i < headerCount; i++)
        {
            // Each header takes at least two bytes, so a huge count runs out of bytes quickly.
            if (!Varint.TryReadVarint(s[pos..], out int keyLength, out n) || keyLength < 0 || keyLength > s.Length - pos - n)
            {
                return false;
            }

            pos += n + keyLength;
            if (!TryReadBytes(s, ref pos, out _, out _))
            {
                return false;
            }
        }

        if (pos != end)
        {
            return false; // the record's length prefix disagrees with its contents
        }

        layout.HeadersLength = pos - layout.HeadersStart;
        layout.TotalSize = end;
        return true;
    }

    /// <summary>Reads a varint length (-1 = null) and skips that many bytes.</summary>
    public static bool TryReadBytes(ReadOnlySpan<byte> s, ref int pos, out int start, out int length)
    {
        if (!Varint.TryReadVarint(s[pos..], out length, out int n) || length < -1 || length > s.Length - pos - n)
        {
            start = 0;
            length = 0;
            return false;
        }

        start = pos + n;
        pos = start + Math.Max(length, 0);
        return true;
    }

    /// <summary>Walks exactly <paramref name="recordCount"/> records that must fill <paramref name="records"/> exactly.</summary>
    public static RecordValidationFailure CheckRecords(ReadOnlySpan<byte> records, int recordCount)
    {
        if (recordCount > records.Length / MinRecordSize)
        {
            return RecordValidationFailure.RecordCountMismatch;
        }

        int pos = 0;
        for (int i = 0; i < recordCount; i++)
        {
            if (pos == records.Length)
            {
                return RecordValidationFailure.RecordCountMismatch;
            }

            if (!TryParse(records[pos..], out RecordLayout layout))
            {
                return RecordValidationFailure.RecordFraming;
            }

            pos += layout.TotalSize;
        }

        return pos == records.Length ? RecordValidationFailure.None : RecordValidationFailure.RecordCountMismatch;
    }
}
