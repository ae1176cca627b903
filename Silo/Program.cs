using Runnel.Silo.Hosting;

namespace Runnel.Silo;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        SiloHost built;
        try
        {
            // Both refuse bad settings with a message for the user (a bad blob connection string is found at Build).
            built = SiloHost.Build(SiloCommandLine.Parse(args, Environment.GetEnvironmentVariable));
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 2;
        }

        await using SiloHost host = built;
        await host.RunAsync().ConfigureAwait(false);
        return 0;
    }
}
