using System.Buffers;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.Storage;
using Runnel.Records;

namespace Runnel.Grains.Tiering;

/// <summary>
/// Uploads one sealed segment (its file, byte for byte) and its index object. The names carry the offset range
/// and the CRC-32C of the bytes, so an upload retried after a crash or a lost response writes the same bytes
/// under the same names: harmless. Uploads across the silo share one concurrency limit, and run on the tiering
/// worker, never in the partition's turns.
/// </summary>
internal sealed class SegmentUploader
{
    private const int ReadBufferBytes = 1024 * 1024;

    private readonly IBlobStore _store;
    private readonly SemaphoreSlim _concurrency;
    private readonly TimeProvider _time;

    public SegmentUploader(IBlobStore store, SemaphoreSlim concurrency, TimeProvider time)
    {
        _store = store;
        _concurrency = concurrency;
        _time = time;
    }

    /// <summary>Uploads and returns the manifest entry to add; the segment must be sealed.</summary>
    /// <exception cref="FileNotFoundException">The local file is gone (retention deleted the segment meanwhile).</exception>
    public async Task<TierManifestSegment> UploadAsync(string prefix, LogSegment segment, CancellationToken cancellationToken)
    {
        if (!segment.IsSealed)
        {
            throw new InvalidOperationException("Only sealed segments are uploaded.");
        }

        SegmentState state = segment.State;
        await _concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // From memory when the segment is resident (the usual case, just after a roll), else from its file.
            await using Stream content = state.IsResident ? new SegmentContentStream(state) : OpenFile(segment, state);
            uint crc = content is SegmentContentStream
                ? SegmentContentStream.ComputeCrc32C(state)
                : await ComputeCrcAsync(content, cancellationToken).ConfigureAwait(false);
            long lastOffset = state.NextOffset - 1;
            string data = TierBlobNames.Segment(prefix, segment.BaseOffset, lastOffset, crc);
            string index = TierBlobNames.Index(data);

            // The index first: a listed segment must never lack its index. Unconditional puts: same name, same bytes.
            await _store.PutAsync(index, SegmentIndexFile.Write(state), BlobCondition.None, cancellationToken).ConfigureAwait(false);
            content.Position = 0;
            await _store.PutAsync(data, content, BlobCondition.None, cancellationToken).ConfigureAwait(false);
            return new TierManifestSegment
            {
                BaseOffset = segment.BaseOffset,
                LastOffset = lastOffset,
                NextOffset = state.NextOffset,
                SizeBytes = state.SizeInBytes,
                MaxTimestamp = state.MaxTimestamp,
                OffsetOfMaxTimestamp = state.OffsetOfMaxTimestamp,
                Crc32C = crc.ToString("x8", System.Globalization.CultureInfo.InvariantCulture),
                Object = data,
                Index = index,
                UploadedAtMs = _time.GetUtcNow().ToUnixTimeMilliseconds(),
            };
        }
        finally
        {
            _concurrency.Release();
        }
    }

    private static FileStream OpenFile(LogSegment segment, SegmentState state)
    {
        var file = new FileStream(segment.FilePath, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        });
        if (file.Length != state.SizeInBytes)
        {
            file.Dispose();
            throw new IOException($"Segment file {segment.FilePath} has {file.Length} bytes, the sealed segment {state.SizeInBytes}.");
        }

        return file;
    }

    private static async Task<uint> ComputeCrcAsync(Stream file, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
        try
        {
            uint crc = 0xFFFFFFFFu;
            int read;
            while ((read = await file.ReadAsync(buffer.AsMemory(0, ReadBufferBytes), cancellationToken).ConfigureAwait(false)) > 0)
            {
                crc = Crc32C.Append(crc, buffer.AsSpan(0, read));
            }

            return ~crc;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
