namespace Runnel.Grains.Metadata;

/// <summary>Kafka's topic name rules, with its messages' wording, so clients show familiar errors.</summary>
public static class TopicNames
{
    public const int MaxLength = 249;

    /// <summary>Null when <paramref name="name"/> is a legal topic name, otherwise why not.</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "Topic name is illegal, it can't be empty.";
        }

        if (name is "." or "..")
        {
            return "Topic name cannot be \".\" or \"..\".";
        }

        if (name.Length > MaxLength)
        {
            return $"Topic name is illegal, it can't be longer than {MaxLength} characters, topic name: {name[..40]}...";
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return $"Topic name \"{name}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'.";
            }
        }

        return null;
    }

    /// <summary>Metric names replace '.' with '_', so Kafka refuses two topics that differ only there.</summary>
    public static bool Collide(string a, string b) =>
        !string.Equals(a, b, StringComparison.Ordinal)
        && string.Equals(a.Replace('.', '_'), b.Replace('.', '_'), StringComparison.Ordinal);
}
