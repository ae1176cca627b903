using System.CommandLine;
using System.Globalization;

namespace Runnel.Cli;

/// <summary>Options every command takes (recursive on the root command), each with an environment variable.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string> Brokers = new("--brokers", "-b")
    {
        Description = "Kafka bootstrap servers, host:port[,host:port...] (env RUNNEL_BROKERS, default 127.0.0.1:9092)",
        HelpName = "host:port",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("RUNNEL_BROKERS") is { Length: > 0 } fromEnv ? fromEnv : CliContext.DefaultBrokers,
    };

    public static readonly Option<string?> Http = new("--http")
    {
        Description = "A silo's HTTP address for /health and /cluster, e.g. http://127.0.0.1:9644 (env RUNNEL_HTTP); other brokers have none",
        HelpName = "url",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("RUNNEL_HTTP") is { Length: > 0 } fromEnv ? fromEnv : null,
    };

    public static readonly Option<string> Output = new("--output", "-o")
    {
        Description = "table for people, json for scripts (consume: one object per line)",
        HelpName = "table|json",
        Recursive = true,
        DefaultValueFactory = _ => "table",
    };

    public static readonly Option<double> Timeout = new("--timeout")
    {
        Description = "Seconds to keep retrying an unreachable broker or a retriable error before giving up (exit code 3)",
        HelpName = "seconds",
        Recursive = true,
        DefaultValueFactory = _ => 30,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && double.IsFinite(seconds) && seconds > 0 && seconds <= 86_400)
            {
                return seconds;
            }

            result.AddError($"Option '--timeout' takes seconds from more than 0 to 86400, not '{text}'.");
            return 0;
        },
    };

    static GlobalOptions()
    {
        Output.AcceptOnlyFromAmong("table", "json");
        Brokers.Validators.Add(result =>
        {
            string value = result.GetValueOrDefault<string>() ?? string.Empty;
            foreach (string part in value.Split(',', StringSplitOptions.TrimEntries))
            {
                int colon = part.LastIndexOf(':');
                if (colon <= 0 || !int.TryParse(part.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
                {
                    result.AddError($"Option '--brokers' takes host:port[,host:port...], and '{part}' is not a host:port pair.");
                    return;
                }
            }
        });
        Http.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string?>();
            if (value is not null && (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "http" && uri.Scheme != "https")))
            {
                result.AddError($"Option '--http' takes an http:// or https:// address, not '{value}'.");
            }
        });
    }

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(Brokers);
        root.Options.Add(Http);
        root.Options.Add(Output);
        root.Options.Add(Timeout);
    }
}
