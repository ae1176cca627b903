using System.Diagnostics;
using System.Text;

namespace Runnel.Silo.Tests.Infrastructure;

/// <summary>What a finished (or killed) external process left behind.</summary>
public sealed record ProcessResult(string CommandLine, int ExitCode, IReadOnlyList<string> StdoutLines, string Stderr, bool TimedOut)
{
    public string Stdout => string.Join('\n', StdoutLines);

    /// <summary>A description for assertion messages: command, exit code, stderr and the start and end of stdout.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        sb.Append("command: ").AppendLine(CommandLine);
        sb.Append("exit code: ").Append(ExitCode).AppendLine(TimedOut ? " (killed after its time-out)" : string.Empty);
        sb.AppendLine("--- stderr (last 6000 chars) ---").AppendLine(Tail(Stderr, 6000));
        sb.Append("--- stdout (").Append(StdoutLines.Count).AppendLine(" lines; first 20 and last 20) ---");
        foreach (var line in StdoutLines.Take(20))
        {
            sb.AppendLine(line);
        }

        if (StdoutLines.Count > 40)
        {
            sb.AppendLine("...");
        }

        foreach (var line in StdoutLines.Skip(Math.Max(20, StdoutLines.Count - 20)))
        {
            sb.AppendLine(line);
        }

        return sb.ToString();
    }

    /// <summary>Fails the test unless the process exited 0 within its time.</summary>
    public ProcessResult EnsureSuccess(string? context = null)
    {
        Assert.True(ExitCode == 0 && !TimedOut, (context is null ? string.Empty : context + "\n") + Describe());
        return this;
    }

    internal static string Tail(string text, int max) => text.Length <= max ? text : "..." + text[^max..];
}

/// <summary>
/// An external process (kcat, /usr/bin/python3 script, node script) started by a test, with stdout read
/// line by line while it runs and stderr captured. Disposing kills it (SIGKILL) if it is still running.
/// </summary>
public sealed class RunningProcess : IDisposable
{
    private const int MaxStderrChars = 1 << 20;
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;
    private readonly SemaphoreSlim _lineArrived = new(0);

    private RunningProcess(Process process, string commandLine)
    {
        _process = process;
        CommandLine = commandLine;
        _stdoutPump = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                lock (_gate)
                {
                    _stdout.Add(line);
                }

                _lineArrived.Release();
            }
        });
        _stderrPump = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = await process.StandardError.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                lock (_gate)
                {
                    if (_stderr.Length < MaxStderrChars)
                    {
                        _stderr.Append(buffer, 0, n);
                    }
                }
            }
        });
    }

    public string CommandLine { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> StdoutLines
    {
        get
        {
            lock (_gate)
            {
                return [.. _stdout];
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="fileName"/> with the given arguments (no shell involved).</summary>
    public static RunningProcess Start(string fileName, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null, bool redirectStdin = false)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStdin,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            WorkingDirectory = workingDirectory ?? RepoPaths.Root,
        };
        if (redirectStdin)
        {
            psi.StandardInputEncoding = new UTF8Encoding(false);
        }

        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                if (value is null)
                {
                    psi.Environment.Remove(name);
                }
                else
                {
                    psi.Environment[name] = value;
                }
            }
        }

        var commandLine = fileName + " " + string.Join(' ', psi.ArgumentList.Select(Quote));
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned null for " + commandLine);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"Could not start '{commandLine}': {e.Message}. Is it installed? (./test.sh installs the interop clients.)", e);
        }

        return new RunningProcess(process, commandLine);
    }

    /// <summary>Runs a process to completion, feeding <paramref name="stdin"/>; kills it when <paramref name="timeout"/> passes.</summary>
    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, string? stdin = null,
        TimeSpan? timeout = null, string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        using var process = Start(fileName, arguments, workingDirectory, environment, redirectStdin: true);
        var limit = timeout ?? TimeSpan.FromSeconds(120);
        var feed = Task.Run(async () =>
        {
            try
            {
                if (stdin is not null)
                {
                    await process._process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
                }

                process._process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The process exited (or was killed) before reading all of its input; its exit code tells.
            }
        });
        var result = await process.WaitForExitAsync(limit).ConfigureAwait(false);
        await feed.ConfigureAwait(false);
        return result;
    }

    /// <summary>Waits until a stdout line matching <paramref name="predicate"/> has been read; false on time-out or exit.</summary>
    public async Task<bool> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (StdoutLines.Any(predicate))
            {
                return true;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            if (_process.HasExited)
            {
                await _stdoutPump.ConfigureAwait(false);
                return StdoutLines.Any(predicate);
            }

            await _lineArrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the process to exit; kills it (and reports TimedOut) after <paramref name="timeout"/>.</summary>
    public async Task<ProcessResult> WaitForExitAsync(TimeSpan timeout)
    {
        var timedOut = false;
        using (var cts = new CancellationTokenSource(timeout))
        {
            try
            {
                await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                KillHard();
            }
        }

        return await CollectAsync(timedOut).ConfigureAwait(false);
    }

    /// <summary>SIGKILLs the process (and its children) and waits until it is gone.</summary>
    public void KillHard()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        _process.WaitForExit(10_000);
    }

    /// <summary>Kills the process and returns what it printed up to then.</summary>
    public async Task<ProcessResult> KillAndCollectAsync()
    {
        KillHard();
        return await CollectAsync(timedOut: false).ConfigureAwait(false);
    }

    public void Dispose()
    {
        KillHard();
        _process.Dispose();
        _lineArrived.Dispose();
    }

    private async Task<ProcessResult> CollectAsync(bool timedOut)
    {
        // The pipes close when the process (and anything that inherited them) is gone.
        var pumps = Task.WhenAll(_stdoutPump, _stderrPump);
        await Task.WhenAny(pumps, Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
        var exitCode = _process.HasExited ? _process.ExitCode : -1;
        return new ProcessResult(CommandLine, exitCode, StdoutLines, Stderr, timedOut);
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./:=@,".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)
                .Replace("\t", "\\t", StringComparison.Ordinal) + "'";
}
