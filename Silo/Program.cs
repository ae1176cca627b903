using Runnel.Silo.Hosting;

namespace Runnel.Silo;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        SiloOptions options;
        try
        {
            options = SiloCommandLine.Parse(args, Environment.GetEnvironmentVariable);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 2;
        }

        await using SiloHost host = SiloHost.Build(options);
        await host.RunAsync().ConfigureAwait(false);
        return 0;
    }
}
