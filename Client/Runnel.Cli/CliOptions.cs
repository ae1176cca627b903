using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Runnel.Cli.Records;

namespace Runnel.Cli;

/// <summary>Options whose values are checked while parsing, so a bad value is a usage error (exit 2) before anything is sent.</summary>
internal static class CliOptions
{
    public static Option<int> Int(string name, string description, int defaultValue, int min, int max = int.MaxValue) =>
        Parsed(name, description, defaultValue, Range(min, max), text =>
            int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max ? value : null);

    public static Option<long> Long(string name, string description, long defaultValue, long min, long max = long.MaxValue) =>
        Parsed(name, description, defaultValue, Range(min, max), text =>
            long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) && value >= min && value <= max ? value : null);

    /// <summary>A repeatable int option (<c>--partition 0 --partition 2</c>); empty when not given.</summary>
    public static Option<int[]> Ints(string name, string description, int min)
    {
        var option = new Option<int[]>(name)
        {
            Description = description,
            HelpName = "n",
            AllowMultipleArgumentsPerToken = false,
            DefaultValueFactory = _ => [],
            CustomParser = result =>
            {
                var values = new List<int>();
                foreach (Token token in result.Tokens)
                {
                    if (!int.TryParse(token.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) || value < min)
                    {
                        result.AddError($"Option '{name}' takes {Range(min, int.MaxValue)}, not '{token.Value}'.");
                        return [];
                    }

                    values.Add(value);
                }

                return [.. values];
            },
        };
        return option;
    }

    /// <summary>The option must be given: no default stands in for it.</summary>
    public static Option<T> Required<T>(this Option<T> option)
    {
        option.DefaultValueFactory = null;
        option.Required = true;
        return option;
    }

    public static Option<OffsetSpec> Offset(string name, string description, OffsetSpec defaultValue) =>
        Parsed(name, description, defaultValue, OffsetSpec.Expected, text => OffsetSpec.TryParse(text, out OffsetSpec spec) ? spec : null);

    /// <summary>A repeatable <c>key=value</c> option, in the order given.</summary>
    public static Option<List<KeyValuePair<string, string>>> KeyValues(string name, string description)
    {
        return new Option<List<KeyValuePair<string, string>>>(name)
        {
            Description = description,
            HelpName = "key=value",
            DefaultValueFactory = _ => [],
            CustomParser = result =>
            {
                var pairs = new List<KeyValuePair<string, string>>();
                foreach (Token token in result.Tokens)
                {
                    int equals = token.Value.IndexOf('=', StringComparison.Ordinal);
                    if (equals <= 0)
                    {
                        result.AddError($"Option '{name}' takes {HeaderText.Expected}, not '{token.Value}'.");
                        return [];
                    }

                    pairs.Add(new(token.Value[..equals], token.Value[(equals + 1)..]));
                }

                return pairs;
            },
        };
    }

    public static Option<string> Choice(string name, string description, string defaultValue, params string[] choices)
    {
        var option = new Option<string>(name) { Description = description, HelpName = string.Join('|', choices), DefaultValueFactory = _ => defaultValue };
        option.AcceptOnlyFromAmong(choices);
        return option;
    }

    private static Option<T> Parsed<T>(string name, string description, T defaultValue, string expected, Func<string, T?> parse)
        where T : struct
    {
        return new Option<T>(name)
        {
            Description = description,
            HelpName = "value",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
                if (parse(text.Trim()) is { } value)
                {
                    return value;
                }

                result.AddError($"Option '{name}' takes {expected}, not '{text}'.");
                return default;
            },
        };
    }

    private static string Range(long min, long max) => max is int.MaxValue or long.MaxValue
        ? string.Create(CultureInfo.InvariantCulture, $"a whole number of at least {min}")
        : string.Create(CultureInfo.InvariantCulture, $"a whole number from {min} to {max}");
}
