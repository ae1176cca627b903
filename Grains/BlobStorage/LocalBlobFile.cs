using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Runnel.Grains.BlobStorage;

/// <summary>
/// The on-disk form of one local blob: a 32-byte header, then the content unchanged. The header carries the
/// ETag so that it is replaced by the same atomic rename as the content it describes (a side file could not be).
/// </summary>
/// <remarks>
/// Layout: magic "RNLBLOB1" (8 bytes), ETag (16 bytes: the write's UTC ticks, big-endian, then 8 random bytes),
/// content length (8 bytes, big-endian; a check against truncation by tools other than the store).
/// The random half makes two writes in the same tick, or a delete and re-create, differ: an ETag is never reused.
/// </remarks>
internal static class LocalBlobFile
{
    public const int HeaderSize = 32;
    private const int ETagOffset = 8;
    private const int ETagSize = 16;
    private const int LengthOffset = 24;

    private static ReadOnlySpan<byte> Magic => "RNLBLOB1"u8;

    /// <summary>A header with a fresh ETag for <paramref name="contentLength"/> bytes of content.</summary>
    public static byte[] NewHeader(long contentLength, out string etag)
    {
        var header = new byte[HeaderSize];
        Magic.CopyTo(header);
        var etagBytes = header.AsSpan(ETagOffset, ETagSize);
        BinaryPrimitives.WriteInt64BigEndian(etagBytes, DateTime.UtcNow.Ticks);
        RandomNumberGenerator.Fill(etagBytes[8..]);
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(LengthOffset), contentLength);
        etag = FormatETag(etagBytes);
        return header;
    }

    /// <summary>Patches the content length of a header written before the length of a streamed upload was known.</summary>
    public static void SetContentLength(byte[] header, long contentLength) =>
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(LengthOffset), contentLength);

    /// <summary>Reads and checks the header of an open blob file; returns the ETag and the content length.</summary>
    public static (string ETag, long Length) ReadHeader(SafeFileHandle file, string path)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        long fileLength = RandomAccess.GetLength(file);
        int read = fileLength >= HeaderSize ? RandomAccess.Read(file, header, 0) : 0;
        if (read != HeaderSize || !header[..8].SequenceEqual(Magic))
        {
            ThrowCorrupt(path, "no blob header");
        }

        long length = BinaryPrimitives.ReadInt64BigEndian(header[LengthOffset..]);
        if (length != fileLength - HeaderSize)
        {
            ThrowCorrupt(path, $"the header says {length} bytes of content, the file holds {fileLength - HeaderSize}");
        }

        return (FormatETag(header.Slice(ETagOffset, ETagSize)), length);
    }

    /// <summary>Opens a blob file for reading, or returns null when it does not exist.</summary>
    /// <remarks>FileShare.Delete lets a writer rename a new version over it meanwhile (Windows); POSIX allows that anyway.</remarks>
    public static SafeFileHandle? TryOpen(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(path))
        {
            return null; // a folder of that name holds longer names, it is not a blob
        }
        catch (IOException) when (Directory.Exists(path))
        {
            return null;
        }
    }

    private static string FormatETag(ReadOnlySpan<byte> etag) => "\"" + Convert.ToHexStringLower(etag) + "\"";

    private static void ThrowCorrupt(string path, string problem) =>
        throw new BlobStoreException($"The local blob file '{path}' is not a Runnel blob ({problem}); was it written by another tool?");
}
