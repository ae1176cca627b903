using System.Buffers.Binary;
using System.IO.Compression;

namespace Runnel.Records;

/// <summary>
/// Kafka's gzip codec (attribute 1): one gzip member (RFC 1952), as the Java client, librdkafka, kafka-python and
/// kafkajs all write, through System.IO.Compression.
/// </summary>
internal static class GzipCodec
{
    /// <summary>zlib's default level, which librdkafka and the Java client use too.</summary>
    public const int DefaultLevel = 6;

    /// <summary>A 10-byte header, the 2 bytes of an empty final deflate block and the 8-byte trailer.</summary>
    private const int MinimumSize = 20;
    private const int ReadChunk = 16 * 1024;

    /// <summary>Deflate expands at most about 1032 times; a larger ISIZE hint is not believed.</summary>
    private const int MaxRatio = 1032;

    /// <summary>
    /// An empty gzip member: header (no name, no time, OS unknown), an empty final fixed-Huffman block, CRC 0 and
    /// length 0. GZipStream writes nothing at all for no data, which no reader takes for gzip.
    /// </summary>
    private static ReadOnlySpan<byte> EmptyMember => [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    public static void Compress(ReadOnlySpan<byte> records, PooledByteBuffer output, int level)
    {
        if (records.IsEmpty)
        {
            EmptyMember.CopyTo(output.GetSpan(EmptyMember.Length));
            output.Advance(EmptyMember.Length);
            return;
        }

        var options = new ZLibCompressionOptions { CompressionLevel = Math.Clamp(level, 0, 9) };
        using var sink = new BufferWriterStream(output);
        using (var gzip = new GZipStream(sink, options, leaveOpen: true))
        {
            gzip.Write(records);
        }
    }

    public static unsafe void Decompress(ReadOnlySpan<byte> compressed, PooledByteBuffer output)
    {
        if (compressed.Length < MinimumSize)
        {
            throw new InvalidDataException($"The gzip data ({compressed.Length} bytes) is shorter than the smallest gzip member.");
        }

        // The trailer's ISIZE is the member's length mod 2^32. Used as a size hint only where it is plausible,
        // so a forged one cannot make us rent a large buffer up front.
        uint declared = BinaryPrimitives.ReadUInt32LittleEndian(compressed[^4..]);
        long plausible = Math.Min((long)compressed.Length * MaxRatio, output.Limit);
        output.GetSpan((int)Math.Min(declared, plausible));

        int start = output.WrittenCount;
        fixed (byte* pointer = compressed)
        {
            using var input = new UnmanagedMemoryStream(pointer, compressed.Length);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            int read;
            while ((read = gzip.Read(output.GetSpan(ReadChunk))) > 0)
            {
                output.Advance(read);
            }
        }

        // GZipStream ends quietly when the input stops early, and checks the CRC only when it reaches the
        // trailer: the trailer's length must match what came out, or the data was cut short.
        if (unchecked((uint)(output.WrittenCount - start)) != declared)
        {
            throw new InvalidDataException("The gzip data is truncated: its trailer does not match the decompressed length.");
        }
    }

    /// <summary>A write-only stream that appends to a <see cref="PooledByteBuffer"/>, for GZipStream's output.</summary>
    private sealed class BufferWriterStream(PooledByteBuffer output) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            buffer.CopyTo(output.GetSpan(buffer.Length));
            output.Advance(buffer.Length);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
