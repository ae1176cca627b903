using System.Buffers.Binary;
using Runnel.Grains.Producers;

namespace Runnel.Grains.Storage;

/// <summary>
/// The partition's aborted transactions on disk (24 bytes each: producer id, first offset, marker offset, big-endian),
/// appended as each abort marker is stored. A log rebuilds its aborted index from its local segments at open; this
/// file keeps the aborts whose markers are no longer in a local segment (local retention kept them only in the blob
/// tier), so read_committed readers still skip those transactions after a restart.
/// </summary>
internal sealed class AbortedTransactionFile
{
    public const string FileName = "aborted-transactions";
    private const int EntrySize = 24;
    private readonly string _path;

    public AbortedTransactionFile(string directory) => _path = Path.Combine(directory, FileName);

    /// <summary>The entries stored, in marker order; a torn last entry (a crash mid-write) is ignored.</summary>
    public List<AbortedTransaction> ReadAll()
    {
        File.Delete(_path + DurableFile.TemporarySuffix); // a rewrite interrupted by a crash; the old file is intact
        var entries = new List<AbortedTransaction>();
        if (!File.Exists(_path))
        {
            return entries;
        }

        byte[] bytes = File.ReadAllBytes(_path);
        for (int position = 0; position + EntrySize <= bytes.Length; position += EntrySize)
        {
            ReadOnlySpan<byte> entry = bytes.AsSpan(position, EntrySize);
            entries.Add(new AbortedTransaction(
                BinaryPrimitives.ReadInt64BigEndian(entry),
                BinaryPrimitives.ReadInt64BigEndian(entry[8..]),
                BinaryPrimitives.ReadInt64BigEndian(entry[16..])));
        }

        return entries;
    }

    /// <summary>Appends one abort (a write to the OS: a process crash keeps it; a marker still local is rebuilt anyway).</summary>
    public void Append(AbortedTransaction aborted)
    {
        Span<byte> entry = stackalloc byte[EntrySize];
        Encode(aborted, entry);
        using var stream = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
        stream.Write(entry);
    }

    /// <summary>Replaces the file with <paramref name="entries"/> (after retention dropped older ones).</summary>
    public void Rewrite(IReadOnlyList<AbortedTransaction> entries)
    {
        byte[] bytes = new byte[entries.Count * EntrySize];
        for (int i = 0; i < entries.Count; i++)
        {
            Encode(entries[i], bytes.AsSpan(i * EntrySize, EntrySize));
        }

        DurableFile.WriteAtomically(_path, bytes);
    }

    private static void Encode(AbortedTransaction aborted, Span<byte> entry)
    {
        BinaryPrimitives.WriteInt64BigEndian(entry, aborted.ProducerId);
        BinaryPrimitives.WriteInt64BigEndian(entry[8..], aborted.FirstOffset);
        BinaryPrimitives.WriteInt64BigEndian(entry[16..], aborted.LastOffset);
    }
}
