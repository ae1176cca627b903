using System.Globalization;
using Runnel.Client;

namespace Runnel.Cli.Records;

/// <summary>Where to start or seek to: the first offset, the end, an exact offset, or the first record at or after a time.</summary>
internal readonly record struct OffsetSpec(OffsetSpecKind Kind, long Value)
{
    public const string Expected = "earliest, latest, an offset (0 or more), a time (2026-12-08T10:00:00Z) or @unix-ms";

    public static OffsetSpec Earliest => new(OffsetSpecKind.Earliest, Offsets.Beginning);

    public static OffsetSpec Latest => new(OffsetSpecKind.Latest, Offsets.End);

    /// <summary>The value ListOffsets takes: -2, -1 or a timestamp; an exact offset needs no lookup.</summary>
    public long ListOffsetsSpec => Kind switch
    {
        OffsetSpecKind.Earliest => Offsets.Beginning,
        OffsetSpecKind.Latest => Offsets.End,
        OffsetSpecKind.Time => Value,
        _ => throw new InvalidOperationException("An exact offset needs no ListOffsets."),
    };

    public static bool TryParse(string text, out OffsetSpec spec)
    {
        text = text.Trim();
        spec = default;
        switch (text.ToLowerInvariant())
        {
            case "earliest" or "beginning" or "start":
                spec = Earliest;
                return true;
            case "latest" or "end":
                spec = Latest;
                return true;
        }

        if (text.Length > 0 && char.IsAsciiDigit(text[0]) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long offset))
        {
            spec = new OffsetSpec(OffsetSpecKind.Offset, offset);
            return true;
        }

        if (text.StartsWith('@') && long.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out long unixMs))
        {
            spec = new OffsetSpec(OffsetSpecKind.Time, unixMs);
            return true;
        }

        // A time must say its zone: a local time would mean different records on different machines.
        if (text.Contains('T', StringComparison.Ordinal) && (text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > text.IndexOf('T', StringComparison.Ordinal))
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset time))
        {
            spec = new OffsetSpec(OffsetSpecKind.Time, time.ToUnixTimeMilliseconds());
            return true;
        }

        return false;
    }

    public override string ToString() => Kind switch
    {
        OffsetSpecKind.Earliest => "earliest",
        OffsetSpecKind.Latest => "latest",
        OffsetSpecKind.Time => DateTimeOffset.FromUnixTimeMilliseconds(Value).ToString("O", CultureInfo.InvariantCulture),
        _ => Value.ToString(CultureInfo.InvariantCulture),
    };
}

internal enum OffsetSpecKind
{
    Earliest,
    Latest,
    Offset,
    Time,
}
