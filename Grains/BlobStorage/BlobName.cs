namespace Runnel.Grains.BlobStorage;

/// <summary>
/// The rules every blob name follows, in every store: 1 to 1024 characters of ASCII letters, digits, '-', '_',
/// '.', '=' and '~', in '/'-separated segments; no empty segment (so no leading, trailing or doubled '/'), no
/// '.' or '..' segment, no segment starting with ".runnel" (reserved for the local store's own files).
/// </summary>
/// <remarks>
/// The set is deliberately narrow: each allowed character is unreserved in URLs (so the Azure request path,
/// the Shared Key canonicalized resource and what the service sees are the same string) and safe in file
/// names on every operating system (so the local store maps a name to a path without escaping).
/// </remarks>
public static class BlobName
{
    public const int MaxLength = 1024;

    /// <summary>First segment of the local store's staging and lock files; refused in blob names.</summary>
    internal const string ReservedPrefix = ".runnel";

    /// <summary>Throws <see cref="ArgumentException"/> naming the rule <paramref name="name"/> breaks.</summary>
    public static void Validate(string name)
    {
        var problem = FindProblem(name, isPrefix: false);
        if (problem is not null)
        {
            ThrowInvalid(name, problem);
        }
    }

    /// <summary>
    /// A list prefix is a possibly partial name: the same characters, but it may be empty or end with '/' or
    /// inside a segment.
    /// </summary>
    public static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0)
        {
            return;
        }

        var problem = FindProblem(prefix, isPrefix: true);
        if (problem is not null)
        {
            ThrowInvalid(prefix, problem);
        }
    }

    public static bool IsValid(string? name) => name is not null && FindProblem(name, isPrefix: false) is null;

    private static string? FindProblem(string? name, bool isPrefix)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "a blob name must not be empty";
        }

        if (name.Length > MaxLength)
        {
            return $"a blob name has at most {MaxLength} characters";
        }

        foreach (char c in name)
        {
            if (!IsAllowed(c))
            {
                return $"the character '{(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())}' is not allowed (use ASCII letters, digits, '-', '_', '.', '=', '~' and '/' between segments)";
            }
        }

        var segments = name.Split('/');
        for (int i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            bool last = i == segments.Length - 1;
            if (segment.Length == 0 && !(isPrefix && last))
            {
                return i == 0 ? "a blob name must not start with '/' (names are relative)" : "a blob name must not have an empty segment ('//' or a trailing '/')";
            }

            if (segment is "." or ".." && !(isPrefix && last && segment == "."))
            {
                return "'.' and '..' segments are not allowed";
            }

            if (i == 0 && segment.StartsWith(ReservedPrefix, StringComparison.Ordinal))
            {
                return $"names starting with '{ReservedPrefix}' are reserved";
            }
        }

        return null;
    }

    private static bool IsAllowed(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.' or '=' or '~' or '/';

    private static void ThrowInvalid(string name, string problem) =>
        throw new ArgumentException($"Invalid blob name '{(name.Length > 100 ? name[..100] + "..." : name)}': {problem}.", nameof(name));
}
