using Microsoft.Win32.SafeHandles;
using Runnel.Grains.Producers;
using Runnel.Records;

namespace Runnel.Grains.Storage;

/// <summary>Loading a segment from its file after a restart or a crash.</summary>
internal sealed partial class LogSegment
{
    /// <summary>
    /// Loads a segment file, keeps its longest prefix of whole, CRC-valid batches with dense offsets starting at
    /// <paramref name="baseOffset"/>, truncates the file after that prefix (a write torn by a crash), and records
    /// every kept batch in <paramref name="producers"/>.
    /// </summary>
    public static LogSegment Recover(string path, long baseOffset, LogOptions options, ProducerStateTable producers, SegmentCache? cache, out bool truncated)
    {
        SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        try
        {
            long length = RandomAccess.GetLength(file);
            byte[] data = length == 0 ? [] : GC.AllocateUninitializedArray<byte>((int)Math.Min(length, Array.MaxLength));
            int read = 0;
            while (read < data.Length)
            {
                int n = RandomAccess.Read(file, data.AsSpan(read), read);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            long lastWriteMs = new DateTimeOffset(File.GetLastWriteTimeUtc(path)).ToUnixTimeMilliseconds();
            var segment = new LogSegment(path, baseOffset, options, file) { LastAppendMs = lastWriteMs, _cache = cache };
            int valid = segment.IndexRecoveredBytes(data.AsSpan(0, read), producers);
            if (valid > 0)
            {
                segment.AddChunk(new LogChunk(data, 0));
                segment.Charge(valid);
                segment._lastChunkUsed = valid;
                long firstTimestamp = RecordBatchHeader.Read(data).MaxTimestamp;
                segment.FirstAppendMs = firstTimestamp >= 0 && firstTimestamp <= lastWriteMs ? firstTimestamp : lastWriteMs;
            }

            truncated = valid < length;
            if (truncated)
            {
                RandomAccess.SetLength(file, valid);
                RandomAccess.FlushToDisk(file);
            }

            segment.Publish();
            return segment;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private int IndexRecoveredBytes(ReadOnlySpan<byte> data, ProducerStateTable producers)
    {
        int position = 0;
        while (BatchFraming.TryFrame(data[position..], out int size) == Protocol.ErrorCode.None)
        {
            ReadOnlySpan<byte> batch = data.Slice(position, size);
            RecordBatchHeader header = RecordBatchHeader.Read(batch);
            if (header.BaseOffset != _nextOffset || !RecordBatchHeader.HasValidCrc(batch))
            {
                break;
            }

            Register(batch, position);
            producers.Record(header, batch, header.BaseOffset);
            position += size;
        }

        return position;
    }
}
