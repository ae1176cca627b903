using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Runnel.Benchmarks;

/// <summary>A child process (silo, Azurite) started for the benchmark and killed with its tree at the end.</summary>
internal sealed class BenchmarkProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public BenchmarkProcess(string fileName, IEnumerable<string> arguments, string? readyLinePrefix)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        _process.OutputDataReceived += (_, e) =>
        {
            if (readyLinePrefix is null || (e.Data?.StartsWith(readyLinePrefix, StringComparison.Ordinal) ?? false))
            {
                _ready.TrySetResult();
            }
        };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (readyLinePrefix is null)
        {
            _ready.TrySetResult();
        }
    }

    public Task WaitReadyAsync(TimeSpan limit) => _ready.Task.WaitAsync(limit);

    public void Dispose()
    {
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
        }

        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a command line through /bin/sh and returns its exit code and standard error.</summary>
    public static async Task<(int ExitCode, string Stderr)> ShellAsync(string command, TimeSpan limit)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("sh did not start");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{command}' did not finish within {limit}.");
        }

        return (process.ExitCode, await stderr.ConfigureAwait(false));
    }
}
