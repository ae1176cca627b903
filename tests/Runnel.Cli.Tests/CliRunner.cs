using System.Text.Json;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Cli.Tests;

/// <summary>Runs the built runnel tool (<c>dotnet runnel.dll ...</c>) as a process, the way a shell would.</summary>
internal static class CliRunner
{
    /// <summary>Client/Runnel.Cli/bin/&lt;configuration&gt;/net10.0/runnel.dll, built by the project reference.</summary>
    public static string Dll
    {
        get
        {
            string dll = Path.Combine(RepoPaths.Root, "Client", "Runnel.Cli", "bin", RepoPaths.Configuration, "net10.0", "runnel.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"{dll} is missing; build it: dotnet build Client/Runnel.Cli -c {RepoPaths.Configuration}");
        }
    }

    /// <summary>runnel with <c>--brokers</c> of <paramref name="silo"/> (when given) before the other arguments.</summary>
    public static Task<ProcessResult> RunAsync(SiloProcess? silo, IEnumerable<string> arguments, string? stdin = null, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var all = new List<string> { Dll };
        if (silo is not null)
        {
            all.AddRange(["--brokers", silo.BootstrapServers]);
        }

        all.AddRange(arguments);
        return RunningProcess.RunAsync("dotnet", all, stdin, timeout ?? TimeSpan.FromSeconds(60), environment: Environment(environment));
    }

    /// <summary>Starts runnel and leaves it running (consume --follow); the caller disposes it.</summary>
    public static RunningProcess Start(SiloProcess silo, IEnumerable<string> arguments) =>
        RunningProcess.Start("dotnet", [Dll, "--brokers", silo.BootstrapServers, .. arguments], environment: Environment(null));

    /// <summary>Runs runnel, asserts exit code 0, and parses its stdout as one JSON document.</summary>
    public static async Task<JsonElement> JsonAsync(SiloProcess silo, params string[] arguments)
    {
        ProcessResult result = (await RunAsync(silo, [.. arguments, "--output", "json"])).EnsureSuccess();
        using JsonDocument document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.Clone();
    }

    /// <summary>Runs runnel with --output json and parses each stdout line as a JSON object.</summary>
    public static async Task<List<JsonElement>> JsonLinesAsync(SiloProcess silo, params string[] arguments)
    {
        ProcessResult result = (await RunAsync(silo, [.. arguments, "--output", "json"])).EnsureSuccess();
        return [.. result.StdoutLines.Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    /// <summary>Asserts the exit code and that stderr names <paramref name="error"/> (a Kafka error name or USAGE).</summary>
    public static ProcessResult AssertFails(this ProcessResult result, int exitCode, string error)
    {
        Assert.True(result.ExitCode == exitCode && !result.TimedOut, $"expected exit code {exitCode}\n{result.Describe()}");
        Assert.Contains($"runnel: {error}", result.Stderr, StringComparison.Ordinal);
        return result;
    }

    // The machine's own settings must not point the tool elsewhere.
    private static Dictionary<string, string?> Environment(IReadOnlyDictionary<string, string?>? extra)
    {
        var environment = new Dictionary<string, string?> { ["RUNNEL_BROKERS"] = null, ["RUNNEL_HTTP"] = null, ["DOTNET_NOLOGO"] = "1" };
        foreach (var (name, value) in extra ?? new Dictionary<string, string?>())
        {
            environment[name] = value;
        }

        return environment;
    }
}
