using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Groups;

/// <summary>
/// The .NET group members' answer to --help and to a bad command line, without a broker: a member the failover tests
/// start with a wrong option must stop at once with the reason, not sit in the group printing nothing.
/// </summary>
public sealed class GroupMemberCommandLineTests
{
    public static TheoryData<string> Members => new() { GroupMembers.RunnelClientMember, GroupMembers.ConfluentDotnetMember };

    [Theory]
    [MemberData(nameof(Members))]
    public async Task Help_lists_the_options_the_tests_give_and_exits_0(string member)
    {
        ProcessResult run = await RunAsync(member, "--help");

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.All(["--bootstrap", "--topic", "--group", "--client-id", "--session-timeout-ms"], name => Assert.Contains(name, run.Stdout, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Members))]
    public async Task A_missing_option_a_bad_number_and_an_unknown_option_are_one_line_and_exit_2(string member)
    {
        string name = Path.GetFileNameWithoutExtension(member);
        string[] common = ["--bootstrap", "127.0.0.1:1", "--group", "g", "--client-id", "c"];

        AssertRefused(await RunAsync(member, common), $"{name}: Option '--topic' is required.");
        AssertRefused(await RunAsync(member, [.. common, "--topic", "t", "--session-timeout-ms", "6s"]),
            $"{name}: Option '--session-timeout-ms' takes a whole number of at least 1, not '6s'.");
        AssertRefused(await RunAsync(member, [.. common, "--topic", "t", "--auto-commit", "false"]),
            $"{name}: Unrecognized command or argument '--auto-commit'.");
        AssertRefused(await RunAsync(member, [.. common, "--topic"]), $"{name}: Required argument missing for option: '--topic'.");
    }

    private static void AssertRefused(ProcessResult run, string error)
    {
        Assert.True(run.ExitCode == 2, run.Describe());
        Assert.Empty(run.StdoutLines);
        Assert.Equal($"{error} (--help lists every option)", run.Stderr.Trim());
    }

    private static Task<ProcessResult> RunAsync(string member, params string[] arguments) =>
        RunningProcess.RunAsync("dotnet", [member, .. arguments], timeout: TimeSpan.FromSeconds(60));
}
