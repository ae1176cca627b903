using System.Text.Json;
using System.Text.Json.Serialization;
using Runnel.Grains.Storage;

namespace Runnel.Grains.Tiering;

/// <summary>
/// The one truth about a partition's blob tier: which object holds which offsets, and the log start offset.
/// Stored as <c>manifest.json</c> beside the segments and only ever replaced with compare-and-swap on its ETag.
/// A blob the manifest does not list is garbage, whatever its name says.
/// </summary>
/// <remarks>
/// Segments are listed by their offset range with the next offset stored explicitly, never derived from a
/// count, so segments with gaps (a compacted segment keeps only the last record per key) fit as they are; a
/// replacement segment replaces every entry whose range it covers. Field names are part of the format.
/// </remarks>
public sealed class TierManifest
{
    public const int CurrentFormat = 1;

    public int Format { get; set; } = CurrentFormat;

    public string Topic { get; set; } = "";

    public Guid TopicId { get; set; }

    public int Partition { get; set; }

    /// <summary>Offsets below this are deleted (retention, DeleteRecords), even where a listed segment still holds them.</summary>
    public long LogStartOffset { get; set; }

    /// <summary>Oldest first, ranges not overlapping.</summary>
    public List<TierManifestSegment> Segments { get; set; } = [];

    /// <summary>The offset after the last listed segment (the log start when none).</summary>
    [JsonIgnore]
    public long EndOffset => Segments.Count > 0 ? Segments[^1].NextOffset : LogStartOffset;

    public static TierManifest Parse(ReadOnlySpan<byte> json)
    {
        TierManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(json, TierManifestJsonContext.Default.TierManifest)
                ?? throw new InvalidDataException("The tier manifest is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The tier manifest is not valid JSON: {e.Message}", e);
        }

        if (manifest.Format != CurrentFormat)
        {
            throw new InvalidDataException($"The tier manifest has format {manifest.Format}; this silo reads format {CurrentFormat}.");
        }

        return manifest;
    }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, TierManifestJsonContext.Default.TierManifest);

    /// <summary>A deep copy to change (a change is applied to a copy, so a failed write leaves the known state intact).</summary>
    public TierManifest Copy() => Parse(ToJson());

    /// <summary>The listed segments at or above the log start, as the log opens them.</summary>
    public List<RemoteSegmentInfo> ToRemoteSegments()
    {
        var segments = new List<RemoteSegmentInfo>(Segments.Count);
        foreach (TierManifestSegment segment in Segments)
        {
            if (segment.NextOffset > LogStartOffset)
            {
                segments.Add(segment.ToRemoteSegment());
            }
        }

        return segments;
    }

    /// <summary>
    /// Lists <paramref name="added"/> (idempotent: an entry naming the same object is kept as is); entries whose range
    /// overlaps an added one are replaced. Returns whether anything changed.
    /// </summary>
    public bool AddSegments(IReadOnlyList<TierManifestSegment> added)
    {
        bool changed = false;
        foreach (TierManifestSegment segment in added)
        {
            if (segment.NextOffset <= LogStartOffset || Segments.Exists(s => s.Object == segment.Object))
            {
                continue;
            }

            Segments.RemoveAll(s => s.BaseOffset < segment.NextOffset && segment.BaseOffset < s.NextOffset);
            int at = Segments.FindIndex(s => s.BaseOffset > segment.BaseOffset);
            Segments.Insert(at < 0 ? Segments.Count : at, segment);
            changed = true;
        }

        return changed;
    }

    /// <summary>Moves the log start up to <paramref name="logStartOffset"/> and unlists segments wholly below it, returning them.</summary>
    public List<TierManifestSegment> AdvanceLogStart(long logStartOffset)
    {
        LogStartOffset = Math.Max(LogStartOffset, logStartOffset);
        List<TierManifestSegment> removed = Segments.FindAll(s => s.NextOffset <= LogStartOffset);
        Segments.RemoveAll(s => s.NextOffset <= LogStartOffset);
        return removed;
    }

    /// <summary>Whether <paramref name="name"/> is the data or index object of a listed segment.</summary>
    public bool References(string name) => Segments.Exists(s => s.Object == name || s.Index == name);
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(TierManifest))]
internal sealed partial class TierManifestJsonContext : JsonSerializerContext;
