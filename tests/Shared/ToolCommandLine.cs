using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Runnel.Tools.CommandLine;

/// <summary>
/// Runs a test tool's command (runnel-perf, the benchmarks, the group members) the way the silo runs its own:
/// <c>--help</c> prints usage and exits 0; an unknown option, a missing or bad value is one line on stderr naming
/// the option, and exit code 2; otherwise the command's action runs and its result is the exit code.
/// </summary>
internal static class ToolCommandLine
{
    public static async Task<int> InvokeAsync(RootCommand root, IReadOnlyList<string> args)
    {
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
        {
            await Console.Error.WriteLineAsync($"{root.Name}: {FirstError(parsed)} (--help lists every option)").ConfigureAwait(false);
            return 2;
        }

        // No handler of SIGINT/SIGTERM: the tools die at once as before (the group tests SIGKILL the members anyway).
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
        return await parsed.InvokeAsync(invocation).ConfigureAwait(false);
    }

    /// <summary>
    /// The error to show: an option's own (it names the option), else a word the parser could not place, else the
    /// first; "Required command was not provided" comes before the unknown command that caused it in Errors.
    /// </summary>
    private static string FirstError(ParseResult parsed)
    {
        foreach (ParseError error in parsed.Errors)
        {
            if (error.SymbolResult is OptionResult or ArgumentResult)
            {
                return error.Message;
            }
        }

        return parsed.UnmatchedTokens.Count > 0
            ? $"Unrecognized command or argument '{parsed.UnmatchedTokens[0]}'."
            : parsed.Errors[0].Message;
    }
}

/// <summary>
/// Options whose value is checked when the command line is parsed; a bad value fails the parse with
/// "Option '--name' takes (what it takes), not '(the value)'." Numbers may group digits with '_' (1_000_000).
/// </summary>
internal static class ToolOption
{
    /// <summary>Turns the text of a value into the value, or says no.</summary>
    public delegate bool TryConvert<T>(string text, out T value);

    public static Option<T> Checked<T>(string name, string description, T defaultValue, string expected, TryConvert<T> convert) =>
        Create(name, description, expected, convert, () => defaultValue);

    public static Option<int> Int(string name, string description, int defaultValue, int min, int max = int.MaxValue) =>
        Checked(name, description, defaultValue, Range(min, max), (string text, out int value) =>
            int.TryParse(Digits(text), NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max);

    public static Option<long> Long(string name, string description, long defaultValue, long min, long max = long.MaxValue) =>
        Checked(name, description, defaultValue, Range(min, max), (string text, out long value) =>
            long.TryParse(Digits(text), NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max);

    /// <summary>A finite number (a decimal point and an exponent are fine) from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Option<double> Number(string name, string description, double defaultValue, double min, double max = double.MaxValue) =>
        Checked(name, description, defaultValue,
            max == double.MaxValue ? $"a number of at least {Text(min)}" : $"a number from {Text(min)} to {Text(max)}",
            (string text, out double value) => TryNumber(text, out value) && value >= min && value <= max);

    /// <summary>A finite number; false for text that is not one, or for infinity and NaN.</summary>
    public static bool TryNumber(string text, out double value) =>
        double.TryParse(Digits(text), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>
    /// true or false (any case), always given as a value: <c>--create false</c>. System.CommandLine takes only a word
    /// bool.TryParse reads as the value of a bool option, so any other word is left over and the option is refused as
    /// given without a value.
    /// </summary>
    public static Option<bool> Bool(string name, string description, bool defaultValue)
    {
        var option = new Option<bool>(name)
        {
            Description = description,
            HelpName = "true|false",
            DefaultValueFactory = _ => defaultValue,
        };
        option.Validators.Add(result =>
        {
            if (!result.Implicit && result.Tokens.Count == 0)
            {
                result.AddError($"Option '{name}' takes true or false ({name} true).");
            }
        });
        return option;
    }

    /// <summary>One of <paramref name="choices"/> in any case; the value is the choice as written here.</summary>
    public static Option<string> Choice(string name, string description, string defaultValue, params string[] choices)
    {
        Option<string> option = Checked(name, description, defaultValue, Choices(choices), (string text, out string value) =>
        {
            value = Array.Find(choices, c => string.Equals(c, text, StringComparison.OrdinalIgnoreCase)) ?? string.Empty;
            return value.Length > 0;
        });
        option.HelpName = string.Join('|', choices);
        return option;
    }

    /// <summary>A non-empty text; without <paramref name="defaultValue"/> the option has none (its value is null when not given).</summary>
    public static Option<string> Text(string name, string description, string? defaultValue = null, bool required = false)
    {
        Func<string>? fallback = defaultValue is null ? null : () => defaultValue;
        Option<string> option = Create(name, description, "a non-empty value", (string text, out string value) =>
        {
            value = text;
            return !string.IsNullOrWhiteSpace(text);
        }, fallback);
        option.Required = required;
        return option;
    }

    /// <summary>"a, b or c".</summary>
    public static string Choices(IReadOnlyList<string> choices) =>
        choices.Count == 1 ? choices[0] : string.Join(", ", choices.Take(choices.Count - 1)) + " or " + choices[^1];

    private static Option<T> Create<T>(string name, string description, string expected, TryConvert<T> convert, Func<T>? defaultValue)
    {
        var option = new Option<T>(name)
        {
            Description = description,
            HelpName = "value",
            CustomParser = result => Convert(name, expected, convert, result),
        };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue();
        }

        return option;
    }

    private static T? Convert<T>(string name, string expected, TryConvert<T> convert, ArgumentResult result)
    {
        if (result.Tokens.Count == 0)
        {
            result.AddError($"Option '{name}' takes {expected}, and no value was given.");
            return default;
        }

        string text = result.Tokens[0].Value;
        if (text.StartsWith("--", StringComparison.Ordinal))
        {
            // System.CommandLine gives the next word to an option that needs a value, even another option's name.
            result.AddError($"Option '{name}' takes {expected}, and no value was given before '{text}'.");
            return default;
        }

        if (convert(text.Trim(), out T value))
        {
            return value;
        }

        result.AddError($"Option '{name}' takes {expected}, not '{text}'.");
        return default;
    }

    private static string Digits(string text) => text.Replace("_", string.Empty, StringComparison.Ordinal);

    private static string Range(long min, long max) => max is int.MaxValue or long.MaxValue
        ? string.Create(CultureInfo.InvariantCulture, $"a whole number of at least {min}")
        : string.Create(CultureInfo.InvariantCulture, $"a whole number from {min} to {max}");

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
}
