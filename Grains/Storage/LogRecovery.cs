using Runnel.Grains.Producers;

namespace Runnel.Grains.Storage;

/// <summary>
/// Opening a partition log after a clean stop or a crash. Each segment file is scanned batch by batch and cut
/// after the last whole, CRC-valid batch whose offset follows its predecessor; anything after a cut (later
/// segments included) is deleted, because keeping it would leave a hole in the offsets.
/// </summary>
internal static class LogRecovery
{
    public static PartitionLog Open(string directory, LogOptions options, TimeProvider time, LogTierContext tier)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(options);
        System.IO.Directory.CreateDirectory(directory);

        // The manifest's log start counts too: retention may have moved it on another silo, or before this folder was lost.
        long logStartOffset = Math.Max(LogStartCheckpoint.Read(directory), tier.RemoteLogStartOffset);
        IReadOnlyList<RemoteSegmentInfo> remote = tier.RemoteSegments;
        long remoteEndOffset = remote.Count > 0 ? remote[^1].NextOffset : 0;
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
                    tier.Cache?.Admit(segments[^1]);
                }

                segments.Add(LogSegment.Recover(path, baseOffset, options, producers, tier.Cache, out bool truncated));
                discardRest = truncated;
            }

            long logEndOffset = segments.Count > 0 ? segments[^1].NextOffset : logStartOffset;
            if (logStartOffset > logEndOffset || (remote.Count > 0 && logEndOffset < remoteEndOffset))
            {
                // The checkpoint is ahead of the data (only a machine crash can lose acknowledged tail bytes), or the
                // folder is behind the blob tier (emptied, or an old copy): offsets continue after what the
                // checkpoint and the manifest record, so none is ever handed out twice.
                directoryChanged |= DeleteAll(segments, segments.Count);
            }

            // Segments wholly below the log start were due for deletion when the process stopped.
            int below = 0;
            while (below < segments.Count - 1 && segments[below].NextOffset <= logStartOffset)
            {
                below++;
            }

            directoryChanged |= DeleteAll(segments, below);
            List<LogSegment> remoteOnly = RemoteOnlySegments(directory, options, tier, segments, logStartOffset);
            if (segments.Count == 0)
            {
                long nextOffset = Math.Max(Math.Max(logStartOffset, remoteEndOffset), tier.MinimumNextOffset);
                segments.Add(LogSegment.Create(directory, nextOffset, options, time.GetUtcNow().ToUnixTimeMilliseconds(), tier.Cache));
                directoryChanged = true;
            }

            if (directoryChanged)
            {
                DurableFile.SyncDirectory(directory);
            }

            // Aborts whose markers local retention already dropped come from the partition's abort file.
            var abortFile = new AbortedTransactionFile(directory);
            producers.Transactions.RestoreOlder(abortFile.ReadAll(), segments[0].BaseOffset);
            producers.Transactions.Aborting = abortFile.Append;
            producers.Transactions.Trimmed = abortFile.Rewrite;
            segments.InsertRange(0, remoteOnly);
            logStartOffset = Math.Max(logStartOffset, segments[0].BaseOffset);
            return PartitionLog.Create(directory, options, time, segments, logStartOffset, producers, tier);
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

    /// <summary>
    /// Marks local segments the manifest already lists as uploaded, and returns the manifest's segments below the
    /// first local one (and at or above the log start) as segments readable only from the blob tier.
    /// </summary>
    private static List<LogSegment> RemoteOnlySegments(string directory, LogOptions options, LogTierContext tier, List<LogSegment> local, long logStartOffset)
    {
        var remoteOnly = new List<LogSegment>();
        long firstLocal = local.Count > 0 ? local[0].BaseOffset : long.MaxValue;
        int next = 0;
        foreach (RemoteSegmentInfo info in tier.RemoteSegments)
        {
            if (info.NextOffset <= logStartOffset)
            {
                continue;
            }

            if (info.BaseOffset < firstLocal && info.NextOffset <= firstLocal)
            {
                remoteOnly.Add(LogSegment.FromRemote(directory, info, options, tier.Cache));
                continue;
            }

            while (next < local.Count && local[next].BaseOffset < info.BaseOffset)
            {
                next++;
            }

            // Only a segment with exactly the same range is the same segment; anything else is uploaded again.
            if (next < local.Count && local[next].BaseOffset == info.BaseOffset && local[next].NextOffset == info.NextOffset && local[next].IsSealed)
            {
                local[next].MarkUploaded(info.Copy);
            }
        }

        return remoteOnly;
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
