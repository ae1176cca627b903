using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Runnel.Cli.Perf;

/// <summary>
/// The live display of a perf run, on stderr so stdout keeps only the result: a Spectre progress bar with the
/// current rate on a terminal, one plain line a second when stderr is a pipe or a log.
/// </summary>
internal static class LiveProgress
{
    public static async Task RunAsync(string label, long total, Func<long> done, Func<long> bytes, Task work)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        long started = Stopwatch.GetTimestamp();
        string Rate()
        {
            double seconds = Math.Max(Stopwatch.GetElapsedTime(started).TotalSeconds, 1e-3);
            return string.Create(CultureInfo.InvariantCulture, $"{label}: {done():N0} records, {done() / seconds:N0} records/s, {bytes() / seconds / 1e6:F1} MB/s");
        }

        if (!console.Profile.Capabilities.Interactive || Console.IsErrorRedirected)
        {
            while (await Task.WhenAny(work, Task.Delay(1000)).ConfigureAwait(false) != work)
            {
                await Console.Error.WriteLineAsync(Rate()).ConfigureAwait(false);
            }

            await work.ConfigureAwait(false);
            return;
        }

        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                ProgressTask task = progress.AddTask(label, maxValue: total);
                while (await Task.WhenAny(work, Task.Delay(250)).ConfigureAwait(false) != work)
                {
                    task.Value = done();
                    task.Description = Markup.Escape(Rate());
                }

                task.Value = done();
                task.Description = Markup.Escape(Rate());
            }).ConfigureAwait(false);
        await work.ConfigureAwait(false);
    }
}
