using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Runnel.Silo.Tests.Infrastructure;

/// <summary>Command-line settings of a silo started by a test.</summary>
public sealed record SiloProcessOptions
{
    public bool AutoCreateTopics { get; init; } = true;

    public int NumPartitions { get; init; } = 1;

    public int NodeId { get; init; }

    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>More command-line arguments, appended after the ones above (e.g. <c>--blob-path DIR</c>).</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>Environment variables set for the silo process (e.g. <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// A real silo process: <c>dotnet Runnel.Silo.dll --port P --http-port H --data DIR</c> on 127.0.0.1 with
/// ports taken from the OS and a fresh temporary data folder. <see cref="KillHard"/> is SIGKILL;
/// <see cref="RestartAsync"/> starts it again on the same ports and data folder; <see cref="Dispose"/>
/// kills it and deletes the data folder.
/// </summary>
public sealed class SiloProcess : IDisposable
{
    private const int MaxLogLines = 4000;
    private readonly SiloProcessOptions _options;
    private readonly List<string> _log = [];
    private readonly Lock _gate = new();
    private Process? _process;
    private int _generation;
    private bool _disposed;

    public SiloProcess(SiloProcessOptions? options = null)
    {
        _options = options ?? new SiloProcessOptions();
        (KafkaPort, HttpPort, SiloPort) = FreePorts();
        DataDirectory = Path.Combine(Path.GetTempPath(), "runnel-tests", "silo-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(DataDirectory);
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}/"), Timeout = TimeSpan.FromSeconds(15) };
    }

    public int KafkaPort { get; }

    public int HttpPort { get; }

    /// <summary>Orleans' silo-to-silo port (the gateway is off: these tests speak Kafka and HTTP only).</summary>
    public int SiloPort { get; }

    public string DataDirectory { get; }

    public string BootstrapServers => $"127.0.0.1:{KafkaPort}";

    public HttpClient Http { get; }

    /// <summary>How many times the silo has been started.</summary>
    public int Generation => _generation;

    public bool IsRunning => _process is { HasExited: false };

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("not started");

    /// <summary>The silo's recent stdout and stderr lines, each tagged with the start it came from.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _log);
            }
        }
    }

    /// <summary>The tail of <see cref="Output"/>, for assertion messages.</summary>
    public string OutputTail(int maxChars = 8000) => ProcessResult.Tail(Output, maxChars);

    /// <summary>Starts a silo and a fixture-friendly wrapper around it.</summary>
    public static async Task<SiloProcess> StartNewAsync(SiloProcessOptions? options = null)
    {
        var silo = new SiloProcess(options);
        try
        {
            await silo.StartAsync().ConfigureAwait(false);
            return silo;
        }
        catch
        {
            silo.Dispose();
            throw;
        }
    }

    /// <summary>Starts the process and waits for its <c>ready</c> line.</summary>
    public async Task StartAsync()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsRunning)
        {
            throw new InvalidOperationException("The silo is already running.");
        }

        // A port freed by a killed silo can, rarely, still be held for a moment; only that case is retried.
        for (var attempt = 1; ; attempt++)
        {
            var failure = await TryStartOnceAsync().ConfigureAwait(false);
            if (failure is null)
            {
                return;
            }

            var addressInUse = OutputOf(_generation).Contains("address already in use", StringComparison.OrdinalIgnoreCase);
            if (!addressInUse || attempt == 5)
            {
                throw new InvalidOperationException(failure + "\n--- silo output ---\n" + OutputTail());
            }

            await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
    }

    /// <summary>SIGKILL (Process.Kill), then waits for the process to be gone.</summary>
    public void KillHard()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited on its own in the meantime.
        }

        if (!process.WaitForExit(15_000))
        {
            throw new InvalidOperationException($"Silo pid {process.Id} still running 15 s after SIGKILL.");
        }

        Append("test", $"silo generation {_generation} killed with SIGKILL");
    }

    /// <summary>SIGTERM (what a service manager or Ctrl+C sends), then waits for the process to exit; returns its exit code.</summary>
    public async Task<int> StopGracefullyAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException("not started");
        (await RunningProcess.RunAsync("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]).ConfigureAwait(false)).EnsureSuccess("kill -TERM");
        using var wait = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        Append("test", $"silo generation {_generation} stopped with SIGTERM");
        return process.ExitCode;
    }

    /// <summary>Kills the silo if it runs and starts it again on the same ports and data folder.</summary>
    public async Task RestartAsync()
    {
        KillHard();
        await StartAsync().ConfigureAwait(false);
    }

    public Task<string> GetMetricsTextAsync() => Http.GetStringAsync(new Uri("metrics", UriKind.Relative));

    public async Task<PrometheusMetrics> GetMetricsAsync() => PrometheusMetrics.Parse(await GetMetricsTextAsync().ConfigureAwait(false));

    /// <summary>Fails with the silo's output if the process is not running.</summary>
    public void AssertAlive(string context)
    {
        Assert.True(IsRunning, $"{context}: the silo process is no longer running (exit code {(_process is { HasExited: true } p ? p.ExitCode : 0)}).\n{OutputTail()}");
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            KillHard();
        }
        finally
        {
            _process?.Dispose();
            Http.Dispose();
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: it lives under the temp folder.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private async Task<string?> TryStartOnceAsync()
    {
        var dll = RepoPaths.SiloDll;
        var generation = ++_generation;
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var argument in new[]
                 {
                     dll, "--port", KafkaPort.ToString(CultureInfo.InvariantCulture),
                     "--http-port", HttpPort.ToString(CultureInfo.InvariantCulture),
                     "--silo-port", SiloPort.ToString(CultureInfo.InvariantCulture),
                     "--gateway-port", "0",
                     "--data", DataDirectory,
                     "--auto-create-topics", _options.AutoCreateTopics ? "true" : "false",
                     "--num-partitions", _options.NumPartitions.ToString(CultureInfo.InvariantCulture),
                     "--node-id", _options.NodeId.ToString(CultureInfo.InvariantCulture),
                 })
        {
            psi.ArgumentList.Add(argument);
        }

        foreach (var argument in _options.ExtraArguments)
        {
            psi.ArgumentList.Add(argument);
        }

        // Keep settings of the machine running the tests from leaking into the silo.
        foreach (var name in new[] { "ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "RUNNEL_PORT", "RUNNEL_HTTP_PORT", "RUNNEL_DATA", "RUNNEL_SILO_PORT", "RUNNEL_GATEWAY_PORT", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME" })
        {
            psi.Environment.Remove(name);
        }

        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in _options.Environment)
        {
            psi.Environment[name] = value;
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            Append($"out#{generation}", e.Data);
            if (e.Data.TrimStart().StartsWith("ready", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Append($"err#{generation}", e.Data);
            }
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("exited"));

        Append("test", $"starting silo generation {generation}: dotnet {string.Join(' ', psi.ArgumentList)}");
        _process?.Dispose();
        _process = process;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var finished = await Task.WhenAny(ready.Task, Task.Delay(_options.ReadyTimeout)).ConfigureAwait(false);
        if (finished == ready.Task && ready.Task.IsCompletedSuccessfully)
        {
            return null;
        }

        if (process.HasExited)
        {
            // Let the output readers drain before reporting.
            process.WaitForExit();
            return $"Silo generation {generation} exited with code {process.ExitCode} before printing 'ready' (dll {dll}).";
        }

        KillHard();
        return $"Silo generation {generation} did not print 'ready' within {_options.ReadyTimeout.TotalSeconds} s (dll {dll}); it was killed.";
    }

    /// <summary>The lines one start of the silo printed.</summary>
    private string OutputOf(int generation)
    {
        lock (_gate)
        {
            return string.Join('\n', _log.Where(l => l.StartsWith($"[out#{generation}]", StringComparison.Ordinal) ||
                                                     l.StartsWith($"[err#{generation}]", StringComparison.Ordinal)));
        }
    }

    private void Append(string stream, string line)
    {
        lock (_gate)
        {
            _log.Add($"[{stream}] {line}");
            if (_log.Count > MaxLogLines)
            {
                _log.RemoveRange(0, _log.Count - MaxLogLines);
            }
        }
    }

    private static (int Kafka, int Http, int Silo) FreePorts()
    {
        var listeners = new[] { new TcpListener(IPAddress.Loopback, 0), new TcpListener(IPAddress.Loopback, 0), new TcpListener(IPAddress.Loopback, 0) };
        try
        {
            foreach (var listener in listeners)
            {
                listener.Start();
            }

            return (((IPEndPoint)listeners[0].LocalEndpoint).Port, ((IPEndPoint)listeners[1].LocalEndpoint).Port, ((IPEndPoint)listeners[2].LocalEndpoint).Port);
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
                listener.Dispose();
            }
        }
    }
}

/// <summary>One silo shared by the tests of a class (each test uses its own topics).</summary>
public sealed class SiloFixture : IAsyncLifetime
{
    private SiloProcess? _silo;

    public SiloProcess Silo => _silo ?? throw new InvalidOperationException("The silo fixture did not start.");

    public async Task InitializeAsync() => _silo = await SiloProcess.StartNewAsync().ConfigureAwait(false);

    public Task DisposeAsync()
    {
        _silo?.Dispose();
        return Task.CompletedTask;
    }
}
