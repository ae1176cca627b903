using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Runnel.Grains.Tests.BlobStorage;

/// <summary>
/// One real Azurite blob server: <c>node .../azurite/dist/src/blob/main.js</c> on 127.0.0.1, a port and a data
/// folder that stay the same across <see cref="StopAsync"/> and <see cref="StartAsync"/>, so a test can take the
/// service away and bring the same one back. <see cref="Dispose"/> kills it.
/// </summary>
/// <remarks>
/// Node is RUNNEL_NODE if set, else the first "node" on PATH. Azurite is the package of tests/interop/azure,
/// installed by `npm ci` there (test.sh does it); a missing install fails with that instruction rather than skipping.
/// </remarks>
public sealed partial class AzuriteProcess : IDisposable
{
    /// <summary>Azurite's documented development account and key (public, the same on every machine).</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private const int SigTerm = 15;
    private readonly StringBuilder _output = new();
    private Process? _process;

    public AzuriteProcess(string location, int port, string service = "blob")
    {
        Location = location;
        Port = port;
        Service = service;
    }

    /// <summary>Which Azurite service this runs: "blob" (the blob tier) or "table" (Orleans' membership table).</summary>
    public string Service { get; }

    /// <summary>The development account's table endpoint at this server (for a table service).</summary>
    public string TableConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={DevelopmentAccountName};AccountKey={DevelopmentAccountKey};TableEndpoint=http://127.0.0.1:{Port}/{DevelopmentAccountName};";

    public string Location { get; }

    public int Port { get; }

    public bool IsRunning => _process is { HasExited: false };

    public Uri BlobEndpoint => new($"http://127.0.0.1:{Port}/{DevelopmentAccountName}");

    /// <summary>The development account at this server in the account-key form (the port is not 10000, so BlobEndpoint is explicit).</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={DevelopmentAccountName};AccountKey={DevelopmentAccountKey};BlobEndpoint={BlobEndpoint};";

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

    /// <summary>Starts Azurite on a free port (a few tries: a port found free may be taken before Azurite binds it).</summary>
    public static async Task<AzuriteProcess> StartNewAsync(string location, string service = "blob")
    {
        for (int attempt = 1; ; attempt++)
        {
            var azurite = new AzuriteProcess(location, FreePort(), service);
            if (await azurite.TryStartAsync(TimeSpan.FromSeconds(30)))
            {
                return azurite;
            }

            azurite.Dispose();
            if (attempt == 3)
            {
                throw new InvalidOperationException($"Azurite did not start listening on 127.0.0.1:{azurite.Port}. Output:\n{azurite.Output}");
            }
        }
    }

    /// <summary>Starts (again) on the same port and folder, and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        if (!await TryStartAsync(TimeSpan.FromSeconds(30)))
        {
            throw new InvalidOperationException($"Azurite did not start listening on 127.0.0.1:{Port}. Output:\n{Output}");
        }
    }

    /// <summary>
    /// Takes the service away: SIGTERM, which Azurite answers by saving its metadata and exiting; SIGKILL if it
    /// is still there after 15 s. (A bare SIGKILL is not used: Azurite saves its metadata only every 5 s, so it
    /// would forget writes it had acknowledged, which Azure Storage never does.)
    /// </summary>
    public async Task StopAsync()
    {
        var process = _process ?? throw new InvalidOperationException("Azurite was not started.");
        if (!process.HasExited && Kill(process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill -TERM {process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        }

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        Append($"[test] Azurite pid {process.Id} stopped");
    }

    public void Dispose()
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

    private async Task<bool> TryStartAsync(TimeSpan limit)
    {
        string main = Path.Combine(AzuriteFixture.InteropFolder, "node_modules", "azurite", "dist", "src", Service, "main.js");
        if (!File.Exists(main))
        {
            throw new InvalidOperationException($"Azurite is not installed ({main} is missing): run `npm ci` in {AzuriteFixture.InteropFolder}.");
        }

        if (IsRunning)
        {
            throw new InvalidOperationException("Azurite is already running.");
        }

        var start = new ProcessStartInfo(AzuriteFixture.NodeExecutable)
        {
            WorkingDirectory = AzuriteFixture.InteropFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     main, $"--{Service}Host", "127.0.0.1", $"--{Service}Port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--location", Location, "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        _process?.Dispose();
        _process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        return await WaitUntilListeningAsync(_process, Port, limit);
    }

    private static async Task<bool> WaitUntilListeningAsync(Process process, int port, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit && !process.HasExited)
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

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
