using System.Runtime.InteropServices;

namespace Runnel.Grains.Storage;

/// <summary>
/// Small files that must be all-old or all-new after any crash (checkpoints, the cluster metadata): write a
/// temporary file, fsync it, rename it over the target, then fsync the folder so the rename itself is durable.
/// </summary>
internal static partial class DurableFile
{
    public const string TemporarySuffix = ".tmp";

    public static void WriteAtomically(string path, ReadOnlySpan<byte> contents)
    {
        string temporary = path + TemporarySuffix;
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            file.Write(contents);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>fsync of a folder, making file creations, renames and deletions in it durable (POSIX only; NTFS journals them).</summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int descriptor = Open(directory, 0); // O_RDONLY: enough to fsync a folder on Linux and macOS
        if (descriptor < 0)
        {
            throw new IOException($"Cannot open the folder '{directory}' to make it durable (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"fsync of the folder '{directory}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
