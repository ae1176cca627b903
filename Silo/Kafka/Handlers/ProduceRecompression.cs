using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Records;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>
/// compression.type on Produce: done by the listener, off the partition's append turn (compression is the costly
/// part of a produce), before the batches go to the partition grain. The grain then assigns offsets and checks
/// idempotent sequences on the rebuilt batches exactly as on the producer's own.
/// </summary>
internal static class ProduceRecompression
{
    /// <summary>
    /// Null when the topic keeps the batches as produced or they already have its codec; else the rebuilt batches in
    /// a pooled buffer the caller disposes after the append. A damaged compressed batch gives CORRUPT_MESSAGE.
    /// </summary>
    public static PooledByteBuffer? Apply(TopicConfig config, ReadOnlySpan<byte> batches, out ErrorCode error, out string? message)
    {
        error = ErrorCode.None;
        message = null;
        if (config.RecompressTo is not { } target || !RecordBatchRecompressor.NeedsRecompression(batches, target))
        {
            return null;
        }

        var output = new PooledByteBuffer(batches.Length + RecordBatchHeader.Size);
        try
        {
            RecordBatchRecompressor.Recompress(batches, target, config.RecompressionLevel, output);
            return output;
        }
        catch (InvalidDataException e)
        {
            output.Dispose();
            error = ErrorCode.CorruptMessage;
            message = $"The batch could not be recompressed to the topic's compression.type={config.CompressionType}: {e.Message}";
            return null;
        }
    }
}
