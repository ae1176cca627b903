namespace Runnel.Cli.Tests;

/// <summary>The command line itself: help, unknown words, bad global values, completion; no broker involved.</summary>
public sealed class UsageTests
{
    [Fact]
    public async Task Help_lists_the_commands_and_the_exit_codes()
    {
        var help = (await CliRunner.RunAsync(null, ["--help"])).EnsureSuccess();
        foreach (string command in new[] { "cluster", "topic", "group", "produce", "consume", "perf", "--brokers", "--output", "Exit codes" })
        {
            Assert.Contains(command, help.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains("--key-separator", (await CliRunner.RunAsync(null, ["produce", "--help"])).EnsureSuccess().Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("topic")]
    [InlineData("topic", "list", "--bogus")]
    [InlineData("--brokers", "no-port", "topic", "list")]
    [InlineData("--brokers", "host:99999", "topic", "list")]
    [InlineData("--timeout", "0", "topic", "list")]
    [InlineData("--timeout", "x", "topic", "list")]
    [InlineData("--output", "xml", "topic", "list")]
    [InlineData("group", "seek", "g")]
    public async Task Malformed_command_lines_are_one_line_usage_errors_with_exit_code_2(params string[] arguments)
    {
        var result = (await CliRunner.RunAsync(null, arguments)).AssertFails(2, "USAGE");
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain(result.StdoutLines, l => l.Length > 0);
    }

    [Fact]
    public async Task The_suggest_directive_completes_commands_for_shell_completion()
    {
        var result = (await CliRunner.RunAsync(null, ["[suggest:9]", "runnel to"])).EnsureSuccess();
        Assert.Contains("topic", result.StdoutLines);
        Assert.DoesNotContain("group", result.StdoutLines);
    }
}
