using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Runnel.Grains.BlobStorage;

namespace Runnel.Grains.Tests.BlobStorage;

/// <summary>
/// A real Azurite blob server for the tests of one collection: `node .../azurite/dist/src/blob/main.js` on
/// 127.0.0.1 and a free port, storing in a temporary folder, killed (with its process tree) at the end.
/// </summary>
/// <remarks>
/// Node is RUNNEL_NODE if set, else the first "node" on PATH. Azurite and @azure/storage-blob are the
/// packages of tests/interop/azure, installed by `npm ci` there (test.sh does it); a missing install fails
/// the tests with that instruction rather than skipping them.
/// </remarks>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private readonly StringBuilder _output = new();
    private readonly TempDirectory _location = new();
    private Process? _process;

    public int Port { get; private set; }

    /// <summary>The development account at this server, in the explicit form (the endpoint's port is not 10000).</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={BlobConnectionString.DevelopmentAccountName};AccountKey={BlobConnectionString.DevelopmentAccountKey};BlobEndpoint=http://127.0.0.1:{Port}/{BlobConnectionString.DevelopmentAccountName};";

    public static string InteropFolder => Path.Combine(RepoRoot(), "tests", "interop", "azure");

    public static string NodeExecutable => Environment.GetEnvironmentVariable("RUNNEL_NODE") is { Length: > 0 } node ? node : FindOnPath("node");

    public async Task InitializeAsync()
    {
        string main = Path.Combine(InteropFolder, "node_modules", "azurite", "dist", "src", "blob", "main.js");
        if (!File.Exists(main))
        {
            throw new InvalidOperationException($"Azurite is not installed ({main} is missing): run `npm ci` in {InteropFolder}.");
        }

        // a port found free may be taken before Azurite binds it: try a few
        for (int attempt = 1; ; attempt++)
        {
            Port = FreePort();
            _process = Start(main, Port);
            if (await WaitUntilListeningAsync(_process, Port, TimeSpan.FromSeconds(30)))
            {
                return;
            }

            Stop();
            if (attempt == 3)
            {
                throw new InvalidOperationException($"Azurite did not start listening on 127.0.0.1:{Port}. Output:\n{Output}");
            }
        }
    }

    public Task DisposeAsync()
    {
        Stop();
        _location.Dispose();
        return Task.CompletedTask;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
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

    private Process Start(string main, int port)
    {
        var start = new ProcessStartInfo(NodeExecutable)
        {
            WorkingDirectory = InteropFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     main, "--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--location", _location.Path, "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<bool> WaitUntilListeningAsync(Process process, int port, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < limit && !process.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        return false;
    }

    private void Stop()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // it exited meanwhile
        }

        _process.Dispose();
        _process = null;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
