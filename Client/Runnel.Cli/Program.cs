using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using Runnel.Cli;
using Runnel.Cli.Commands;
using Runnel.Cli.Perf;

var root = new RootCommand("runnel: topics, groups, produce, consume and perf for Runnel and any Kafka-protocol broker.\nExit codes: 0 ok, 1 Kafka/broker error, 2 usage error, 3 unreachable or timed out.");
GlobalOptions.AddTo(root);
root.Subcommands.Add(ClusterCommands.Create());
root.Subcommands.Add(TopicCommands.Create());
root.Subcommands.Add(GroupCommands.Create());
root.Subcommands.Add(ProduceCommand.Create());
root.Subcommands.Add(ConsumeCommand.Create());
root.Subcommands.Add(PerfCommands.Create());

// No response files: '@1796693882013' is a time (Unix ms) to this tool, not a file of arguments.
ParseResult parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
{
    // One line naming what was wrong, not the whole help text: scripts log it, people rerun with --help.
    ParseError error = parsed.Errors.FirstOrDefault(e => e.SymbolResult is OptionResult or ArgumentResult) ?? parsed.Errors[0];
    string message = parsed.UnmatchedTokens.Count > 0 && error.SymbolResult is not (OptionResult or ArgumentResult)
        ? $"Unrecognized command or argument '{parsed.UnmatchedTokens[0]}'."
        : error.Message;
    message = string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    string help = string.Join(' ', ["runnel", .. CommandPath(parsed), "--help"]);
    Console.Error.WriteLine($"runnel: USAGE: {message} ('{help}' lists the options)");
    return ExitCodes.Usage;
}

return await parsed.InvokeAsync().ConfigureAwait(false);

static IEnumerable<string> CommandPath(ParseResult parsed)
{
    var names = new List<string>();
    for (SymbolResult? result = parsed.CommandResult; result is CommandResult command && command.Parent is not null; result = result.Parent)
    {
        names.Insert(0, command.Command.Name);
    }

    return names;
}
