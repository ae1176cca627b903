using Runnel.Grains.Producers;

namespace Runnel.Grains.Storage;

/// <summary>
/// Opening a partition log after a clean stop or a crash. Each segment file is scanned batch by batch and cut
/// after the last whole, CRC-valid batch whose offset follows its predecessor; anything after a cut (later
/// segments included) is deleted, because keeping it would leave a hole in the offsets.
/// </summary>
internal static class LogRecovery
{
    public static PartitionLog Open(string directory, LogOptions options, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(options);
        System.IO.Directory.CreateDirectory(directory);
        long logStartOffset = LogStartCheckpoint.Read(directory);
        var producers = new ProducerStateTable();
        var segments = new List<LogSegment>();
        bool directoryChanged = false;
        try
        {
            bool discardRest = false;
            foreach ((long baseOffset, string path) in ListSegmentFiles(directory))
            {
                if (discardRest || (segments.Count > 0 && baseOffset != segments[^1].NextOffset))
                {
                    discardRest = true;
                    File.Delete(path);
                    directoryChanged = true;
                    continue;
                }

                if (segments.Count > 0)
                {
                    segments[^1].Seal();
                }

                segments.Add(LogSegment.Recover(path, baseOffset, options, producers, out bool truncated));
                discardRest = truncated;
            }

            long logEndOffset = segments.Count > 0 ? segments[^1].NextOffset : logStartOffset;
            if (logStartOffset > logEndOffset)
            {
                // The checkpoint is ahead of the data (only a machine crash can lose acknowledged tail bytes):
                // offsets continue at the checkpoint so none is ever handed out twice.
                directoryChanged |= DeleteAll(segments, segments.Count);
            }

            // Segments wholly below the log start were due for deletion when the process stopped.
            int below = 0;
            while (below < segments.Count - 1 && segments[below].NextOffset <= logStartOffset)
            {
                below++;
            }

            directoryChanged |= DeleteAll(segments, below);
            if (segments.Count == 0)
            {
                segments.Add(LogSegment.Create(directory, logStartOffset, options, time.GetUtcNow().ToUnixTimeMilliseconds()));
                directoryChanged = true;
            }

            if (directoryChanged)
            {
                DurableFile.SyncDirectory(directory);
            }

            logStartOffset = Math.Max(logStartOffset, segments[0].BaseOffset);
            return PartitionLog.Create(directory, options, time, segments, logStartOffset, producers);
        }
        catch
        {
            foreach (LogSegment segment in segments)
            {
                segment.Dispose();
            }

            throw;
        }
    }

    private static List<(long BaseOffset, string Path)> ListSegmentFiles(string directory)
    {
        var files = new List<(long BaseOffset, string Path)>();
        foreach (string path in System.IO.Directory.EnumerateFiles(directory))
        {
            if (LogSegment.TryParseFileName(Path.GetFileName(path), out long baseOffset))
            {
                files.Add((baseOffset, path));
            }
        }

        files.Sort((a, b) => a.BaseOffset.CompareTo(b.BaseOffset));
        return files;
    }

    private static bool DeleteAll(List<LogSegment> segments, int count)
    {
        for (int i = 0; i < count; i++)
        {
            segments[i].Delete();
        }

        segments.RemoveRange(0, count);
        return count > 0;
    }
}
