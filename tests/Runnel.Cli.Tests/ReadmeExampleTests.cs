using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Cli.Tests;

/// <summary>The README's "Command line" example block, run line by line by bash against a silo of its own, so the documentation cannot drift from the tool.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task The_readme_command_line_example_runs_as_documented()
    {
        string script = ExampleBlock();
        using SiloProcess silo = await SiloProcess.StartNewAsync();

        // 'runnel' is the built tool; RUNNEL_BROKERS and RUNNEL_HTTP point it at this silo instead of 127.0.0.1:9092/9644.
        string prelude = $"set -euo pipefail\nrunnel() {{ dotnet '{CliRunner.Dll}' \"$@\"; }}\n";
        ProcessResult result = await RunningProcess.RunAsync("bash", ["-c", prelude + script], timeout: TimeSpan.FromSeconds(120),
            environment: new Dictionary<string, string?>
            {
                ["RUNNEL_BROKERS"] = silo.BootstrapServers,
                ["RUNNEL_HTTP"] = $"http://127.0.0.1:{silo.HttpPort}",
            });
        result.EnsureSuccess("the README example failed");

        string output = result.Stdout;
        Assert.Contains(result.StdoutLines, l => System.Text.RegularExpressions.Regex.IsMatch(l, "^[0-2]/0 k1=hello \\[source=cli\\]$"));
        Assert.Contains(result.StdoutLines, l => System.Text.RegularExpressions.Regex.IsMatch(l, "^[0-2]/0 k2=world \\[source=cli\\]$"));
        Assert.Contains("\"key\":\"k1\",\"value\":\"hello\"", output, StringComparison.Ordinal);
        Assert.Contains("records/sec", output, StringComparison.Ordinal);
        Assert.Contains("exit code 1", output, StringComparison.Ordinal);
        Assert.Contains("runnel: UNKNOWN_TOPIC_OR_PARTITION:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("\"records\":100000", output, StringComparison.Ordinal);
    }

    /// <summary>The sh block right after the line naming this test file.</summary>
    private static string ExampleBlock()
    {
        string[] lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, "README.md"));
        int mention = Array.FindIndex(lines, l => l.Contains("tests/Runnel.Cli.Tests/ReadmeExampleTests.cs", StringComparison.Ordinal));
        Assert.True(mention >= 0, "the README names the test that runs its example");
        int start = Array.FindIndex(lines, mention, l => l.StartsWith("```sh", StringComparison.Ordinal));
        int end = Array.FindIndex(lines, start + 1, l => l.StartsWith("```", StringComparison.Ordinal));
        Assert.True(start > mention && end > start, "an sh block follows that line");
        return string.Join('\n', lines[(start + 1)..end]);
    }
}
