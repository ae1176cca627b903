using Runnel.Silo.Hosting;
using Runnel.Silo.Hosting.CommandLine;

namespace Runnel.Silo;

public static class Program
{
    /// <summary>Exit codes: 0 after a clean stop or --help, 2 when the command line or the start-up refused to run.</summary>
    public static async Task<int> Main(string[] args)
    {
        SiloCommandLineResult parsed = SiloCommandLine.Parse(args, Environment.GetEnvironmentVariable);
        if (parsed.HelpText is { } help)
        {
            await Console.Out.WriteAsync(help).ConfigureAwait(false);
            return 0;
        }

        if (parsed.Error is { } error)
        {
            await Console.Error.WriteLineAsync($"runnel: {error} (--help lists every option)").ConfigureAwait(false);
            return 2;
        }

        try
        {
            await using SiloHost host = SiloHost.Build(parsed.Configuration);
            await host.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (SiloStartupException ex)
        {
            await Console.Error.WriteLineAsync($"runnel: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
    }
}
