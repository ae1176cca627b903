using System.Globalization;
using Runnel.Grains.Storage;

namespace Runnel.Grains.Tiering;

/// <summary>One segment in a <see cref="TierManifest"/>: its offset range, size, newest timestamp, CRC and objects.</summary>
public sealed class TierManifestSegment
{
    public long BaseOffset { get; set; }

    /// <summary>Offset of the last record in the segment.</summary>
    public long LastOffset { get; set; }

    /// <summary>The offset a following segment starts at or after (LastOffset + 1 today; stored, not assumed).</summary>
    public long NextOffset { get; set; }

    public long SizeBytes { get; set; }

    /// <summary>Largest batch max timestamp, -1 when none; retention.ms compares it.</summary>
    public long MaxTimestamp { get; set; } = -1;

    public long OffsetOfMaxTimestamp { get; set; } = -1;

    /// <summary>CRC-32C of the data object, lowercase hex.</summary>
    public string Crc32C { get; set; } = "";

    /// <summary>Blob name of the segment's bytes (exactly the local segment file).</summary>
    public string Object { get; set; } = "";

    /// <summary>Blob name of the segment's offset and time indexes.</summary>
    public string Index { get; set; } = "";

    public long UploadedAtMs { get; set; }

    public RemoteSegmentInfo ToRemoteSegment() => new(
        BaseOffset,
        NextOffset,
        SizeBytes,
        MaxTimestamp,
        OffsetOfMaxTimestamp,
        new RemoteCopy(Object, Index, uint.TryParse(Crc32C, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint crc) ? crc : 0));
}
