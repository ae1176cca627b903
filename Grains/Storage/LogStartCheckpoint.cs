using System.Globalization;
using System.Text;

namespace Runnel.Grains.Storage;

/// <summary>
/// The log start offset of a partition, kept in a small file beside the segments because DeleteRecords can move
/// it into the middle of a segment, where the file names alone cannot tell it after a restart.
/// </summary>
internal static class LogStartCheckpoint
{
    public const string FileName = "log-start-offset.checkpoint";

    /// <summary>The stored offset, or 0 when there is none or it is unreadable (the segments then decide).</summary>
    public static long Read(string directory)
    {
        string path = Path.Combine(directory, FileName);
        File.Delete(path + DurableFile.TemporarySuffix); // a write interrupted by a crash; the old file is intact
        if (!File.Exists(path))
        {
            return 0;
        }

        string text = File.ReadAllText(path, Encoding.ASCII).Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long offset) ? offset : 0;
    }

    public static void Write(string directory, long logStartOffset)
    {
        byte[] contents = Encoding.ASCII.GetBytes(logStartOffset.ToString(CultureInfo.InvariantCulture) + "\n");
        DurableFile.WriteAtomically(Path.Combine(directory, FileName), contents);
    }
}
