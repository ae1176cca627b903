using System.Diagnostics;

namespace Runnel.Grains.Tests.BlobStorage;

/// <summary>
/// A real Azurite blob server (<see cref="AzuriteProcess"/>) for the tests of one collection, on a free port and
/// a temporary folder, killed at the end; plus the paths and the node runner the Azure interop tests share.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private readonly TempDirectory _location = new();
    private AzuriteProcess? _azurite;

    public AzuriteProcess Azurite => _azurite ?? throw new InvalidOperationException("Azurite did not start.");

    public int Port => Azurite.Port;

    /// <summary>The development account at this server, in the account-key form with an explicit BlobEndpoint.</summary>
    public string ConnectionString => Azurite.ConnectionString;

    public static string InteropFolder => Path.Combine(RepoRoot(), "tests", "interop", "azure");

    public static string NodeExecutable => Environment.GetEnvironmentVariable("RUNNEL_NODE") is { Length: > 0 } node ? node : FindOnPath("node");

    public async Task InitializeAsync() => _azurite = await AzuriteProcess.StartNewAsync(_location.Path);

    public Task DisposeAsync()
    {
        _azurite?.Dispose();
        _location.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Runs a node script of tests/interop/azure; kills it if it outlives <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunNodeScriptAsync(string script, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(NodeExecutable)
        {
            WorkingDirectory = InteropFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(InteropFolder, script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"node {script} did not finish within {timeout}; stderr: {await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    private static string FindOnPath(string program)
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"'{program}' was not found on PATH; install Node.js 20 or set RUNNEL_NODE.");
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Runnel.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("No ancestor of " + AppContext.BaseDirectory + " contains Runnel.slnx.");
    }
}

/// <summary>One Azurite shared by every test class that needs it.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
