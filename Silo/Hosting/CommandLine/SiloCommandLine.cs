using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;

namespace Runnel.Silo.Hosting.CommandLine;

/// <summary>
/// The silo's command line on System.CommandLine: every <see cref="SiloSettings"/> entry is an option, and its
/// environment variable stands in when the option is not given (the command line wins). The result is the
/// configuration the options classes bind, or one error line meant for the user.
/// </summary>
public static class SiloCommandLine
{
    /// <summary>Parses <paramref name="args"/> and the environment (read through <paramref name="environment"/>).</summary>
    public static SiloCommandLineResult Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var options = new Dictionary<SiloSetting, Option<string>>();
        RootCommand root = BuildCommand(options);
        ParseResult parsed = root.Parse(args);
        if (parsed.Action is HelpAction)
        {
            var help = new StringWriter();
            parsed.InvocationConfiguration.Output = help;
            parsed.Invoke();
            return SiloCommandLineResult.Help(help.ToString());
        }

        if (parsed.Errors.Count > 0)
        {
            return SiloCommandLineResult.Failed(parsed.Errors[0].Message);
        }

        var configuration = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach ((SiloSetting setting, Option<string> option) in options)
        {
            string? value;
            if (parsed.GetResult(option) is { Implicit: false })
            {
                value = parsed.GetValue(option);
            }
            else if (environment(setting.EnvironmentVariable) is { Length: > 0 } fromEnvironment)
            {
                value = setting.Value.Convert(fromEnvironment.Trim());
                if (value is null)
                {
                    return SiloCommandLineResult.Failed($"{setting.EnvironmentVariable} takes {setting.Value.Expected}, not '{fromEnvironment}' (it sets {setting.Flag}).");
                }
            }
            else
            {
                continue;
            }

            foreach (string key in setting.Keys)
            {
                configuration[key] = value;
            }
        }

        return SiloCommandLineResult.Parsed(configuration);
    }

    private static RootCommand BuildCommand(Dictionary<SiloSetting, Option<string>> options)
    {
        var root = new RootCommand("Runnel silo: a Kafka-protocol event streaming broker on Microsoft Orleans. Each option can also be set by the environment variable in brackets; the command line wins.");
        foreach (SiloSetting setting in SiloSettings.All)
        {
            var option = new Option<string>(setting.Flag)
            {
                Description = $"{setting.Help} [{setting.EnvironmentVariable}]",
                HelpName = "value",
                CustomParser = result => Convert(setting, result),
            };
            options[setting] = option;
            root.Options.Add(option);
        }

        return root;
    }

    private static string? Convert(SiloSetting setting, ArgumentResult result)
    {
        string text = result.Tokens[0].Value;
        string? value = setting.Value.Convert(text.Trim());
        if (value is null)
        {
            result.AddError($"Option '{setting.Flag}' takes {setting.Value.Expected}, not '{text}'.");
        }

        return value;
    }
}

/// <summary>What the command line asked for: help, an error line, or the configuration to run with.</summary>
public sealed record SiloCommandLineResult(IReadOnlyDictionary<string, string?> Configuration, string? Error, string? HelpText)
{
    public static SiloCommandLineResult Parsed(IReadOnlyDictionary<string, string?> configuration) => new(configuration, null, null);

    public static SiloCommandLineResult Failed(string error) => new(new Dictionary<string, string?>(), error, null);

    public static SiloCommandLineResult Help(string text) => new(new Dictionary<string, string?>(), null, text);
}
