using System.Globalization;

namespace Runnel.Grains.Topics;

/// <summary>The value rules of <see cref="TopicConfigCatalog"/>: each returns null for a valid value, else a message for the client.</summary>
internal static class TopicConfigRules
{
    public static Func<string, string?> LongAtLeast(string name, long minimum) => value =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed) && parsed >= minimum
            ? null
            : $"Invalid value '{value}' for {name}: expected a whole number of at least {minimum}.";

    public static Func<string, string?> IntAtLeast(string name, int minimum) => IntBetween(name, minimum, int.MaxValue);

    public static Func<string, string?> IntBetween(string name, int minimum, int maximum, int? alsoAllowed = null) => value =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int parsed)
            && ((parsed >= minimum && parsed <= maximum) || parsed == alsoAllowed)
            ? null
            : $"Invalid value '{value}' for {name}: expected a whole number from {minimum} to {maximum}{(alsoAllowed is { } other ? $" or {other}" : "")}.";

    public static Func<string, string?> DoubleBetween(string name, double minimum, double maximum) => value =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) && parsed >= minimum && parsed <= maximum
            ? null
            : $"Invalid value '{value}' for {name}: expected a number from {minimum.ToString(CultureInfo.InvariantCulture)} to {maximum.ToString(CultureInfo.InvariantCulture)}.";

    public static Func<string, string?> Boolean(string name) => value =>
        bool.TryParse(value, out _) ? null : $"Invalid value '{value}' for {name}: expected true or false.";

    /// <summary>Kafka's string choices are case-sensitive (compression.type=GZIP is refused there too).</summary>
    public static Func<string, string?> OneOf(string name, params string[] choices) => value =>
        Array.IndexOf(choices, value) >= 0 ? null : $"Invalid value '{value}' for {name}: expected one of {string.Join(", ", choices)}.";

    /// <summary>
    /// A config Runnel only takes at its default: the value must first be well-formed for its type (so a typo is
    /// named as a typo), then equal to the default, else the reason says what Runnel lacks.
    /// </summary>
    public static Func<string, string?> DefaultOnly(string name, ConfigType type, string defaultValue, Func<string, string?> wellFormed, string reason) => value =>
        wellFormed(value) is { } invalid ? invalid
        : SameValue(type, value, defaultValue) ? null
        : $"{name}={value} is not supported: only the default '{defaultValue}' is accepted because {reason}.";

    /// <summary>Kafka 3.x's message.format.version: a release such as 2.8, 0.10.2 or 3.0-IV1.</summary>
    public static string? ValidMessageFormatVersion(string value)
    {
        ReadOnlySpan<char> rest = value;
        int dash = rest.IndexOf("-IV", StringComparison.Ordinal);
        if (dash >= 0)
        {
            if (!IsDigits(rest[(dash + 3)..]))
            {
                return InvalidVersion(value);
            }

            rest = rest[..dash];
        }

        int parts = 0;
        foreach (Range part in rest.Split('.'))
        {
            if (!IsDigits(rest[part]) || ++parts > 3)
            {
                return InvalidVersion(value);
            }
        }

        return parts >= 2 ? null : InvalidVersion(value);
    }

    /// <summary>
    /// leader/follower.replication.throttled.replicas: empty, "*", or partition:broker pairs separated by commas,
    /// as Kafka checks them.
    /// </summary>
    public static Func<string, string?> ThrottledReplicas(string name) => value =>
    {
        if (value.Length == 0 || value == "*")
        {
            return null;
        }

        foreach (string item in value.Split(',', StringSplitOptions.TrimEntries))
        {
            int colon = item.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !IsDigits(item.AsSpan(0, colon)) || !IsDigits(item.AsSpan(colon + 1)))
            {
                return $"Invalid value '{value}' for {name}: expected '*' or a comma-separated list of partition:brokerId pairs, such as 0:1,1:2.";
            }
        }

        return null;
    };

    private static bool SameValue(ConfigType type, string value, string defaultValue) => type switch
    {
        ConfigType.Int or ConfigType.Long or ConfigType.Short =>
            long.Parse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) == long.Parse(defaultValue, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
        ConfigType.Boolean => bool.Parse(value) == bool.Parse(defaultValue),
        _ => string.Equals(value, defaultValue, StringComparison.OrdinalIgnoreCase),
    };

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }

    private static string InvalidVersion(string value) =>
        $"Invalid value '{value}' for message.format.version: expected a Kafka release such as 2.8, 0.10.2 or 3.0-IV1.";
}
