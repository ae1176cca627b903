using System.Globalization;

namespace Runnel.Silo.Hosting.CommandLine;

/// <summary>
/// One setting of the silo: its command-line flag, its environment variable, the configuration keys it sets (the
/// options classes bind those), and how a value is checked and written in the form the binder reads.
/// </summary>
internal sealed record SiloSetting(string Flag, string EnvironmentVariable, string Help, SettingValue Value, params string[] Keys);

/// <summary>
/// Checks a value given as text and turns it into configuration text; the error message is meant for the user and
/// is completed with where the value came from (the flag or the variable).
/// </summary>
internal sealed record SettingValue(string Expected, Func<string, string?> Convert)
{
    public static SettingValue Int(int min, int max) => new(Range(min, max), text =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max ? Text(v) : null);

    public static SettingValue Long(long min, long max) => new(Range(min, max), text =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) && v >= min && v <= max ? v.ToString(CultureInfo.InvariantCulture) : null);

    /// <summary>A whole number of milliseconds, bound as a TimeSpan.</summary>
    public static SettingValue Milliseconds(int min) => new(Range(min, int.MaxValue), text =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min ? TimeSpan.FromMilliseconds(v).ToString("c", CultureInfo.InvariantCulture) : null);

    /// <summary>A whole number of minutes, bound as a TimeSpan.</summary>
    public static SettingValue Minutes(int min) => new(Range(min, int.MaxValue), text =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min ? TimeSpan.FromMinutes(v).ToString("c", CultureInfo.InvariantCulture) : null);

    public static SettingValue Bool { get; } = new("true or false", text => text.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" => "true",
        "false" or "0" or "no" => "false",
        _ => null,
    });

    public static SettingValue NonEmpty { get; } = new("a non-empty value", text => string.IsNullOrWhiteSpace(text) ? null : text);

    /// <summary>One of <paramref name="choices"/> (any case), bound as the enum member named the same ("azure-table": AzureTable).</summary>
    public static SettingValue OneOf(params string[] choices) => new(string.Join(" or ", choices), text =>
    {
        foreach (string choice in choices)
        {
            if (string.Equals(choice, text, StringComparison.OrdinalIgnoreCase))
            {
                return string.Concat(choice.Split('-').Select(word => char.ToUpperInvariant(word[0]) + word[1..]));
            }
        }

        return null;
    });

    private static string Range(long min, long max) =>
        max == int.MaxValue || max == long.MaxValue ? $"a whole number of at least {min}" : $"a whole number from {min} to {max}";

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
