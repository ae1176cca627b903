using System.CommandLine;

namespace Runnel.Cli;

/// <summary>Gives a command its action: the global options as a <see cref="CliContext"/>, and every failure reported the same way.</summary>
internal static class CommandActions
{
    public static Command WithAction(this Command command, Func<CliContext, ParseResult, Task<int>> action)
    {
        command.SetAction(async (parsed, cancellationToken) =>
        {
            CliContext context = CliContext.From(parsed, cancellationToken);
            try
            {
                return await action(context, parsed).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C: what was done is done; say nothing more.
                return ExitCodes.Ok;
            }
            catch (Exception e)
            {
                return ErrorReporter.Report(e, context);
            }
        });
        return command;
    }

    public static Command WithAction(this Command command, Func<CliContext, ParseResult, Task> action) =>
        command.WithAction(async (context, parsed) =>
        {
            await action(context, parsed).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
}
