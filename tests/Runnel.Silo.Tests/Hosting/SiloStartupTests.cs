using System.Net;
using System.Net.Sockets;
using Runnel.Grains.Tests;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Hosting;

/// <summary>
/// The silo process as a user meets it: --help, settings it refuses, ports already taken, a data folder it cannot
/// use, and a stop by SIGTERM. Each failure is one line on stderr and exit code 2, never a stack trace.
/// </summary>
public sealed class SiloStartupTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Help_prints_the_usage_and_exits_0()
    {
        ProcessResult result = await RunSiloAsync(["--help"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--blob-connection-string", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("[RUNNEL_PORT]", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--max-request-bytes", "abc", "Option '--max-request-bytes' takes a whole number of at least 1024, not 'abc'.")]
    [InlineData("--blob-store", "azure", "--blob-store azure needs --blob-connection-string")]
    [InlineData("--group-min-session-timeout-ms", "90000", "--group-min-session-timeout-ms (90000) <= --group-max-session-timeout-ms (60000)")]
    public async Task A_refused_setting_is_one_line_and_exit_code_2(string option, string value, string expected)
    {
        using var data = new TempDirectory();
        ProcessResult result = await RunSiloAsync([.. Ports(), "--data", data.Path, "--group-max-session-timeout-ms", "60000", option, value]);
        AssertRefused(result, expected);
    }

    [Fact]
    public async Task A_data_folder_that_cannot_be_made_is_one_line_and_exit_code_2()
    {
        using var data = new TempDirectory();
        string file = Path.Combine(data.Path, "a-file");
        await File.WriteAllTextAsync(file, "not a folder");
        ProcessResult result = await RunSiloAsync([.. Ports(), "--data", Path.Combine(file, "silo")]);
        AssertRefused(result, "(--data) cannot be used");
    }

    [Theory]
    [InlineData("--port")]
    [InlineData("--http-port")]
    [InlineData("--silo-port")]
    public async Task A_port_already_in_use_is_one_line_and_exit_code_2(string taken)
    {
        using var data = new TempDirectory();
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        int port = ((IPEndPoint)holder.LocalEndpoint).Port;
        string[] args = [.. Ports(), "--data", data.Path];
        int index = Array.IndexOf(args, taken);
        args[index + 1] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        ProcessResult result = await RunSiloAsync(args);
        AssertRefused(result, "already in use");
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_silo_on_the_same_orleans_port_is_refused_rather_than_sharing_it()
    {
        using SiloProcess first = await SiloProcess.StartNewAsync();
        using var data = new TempDirectory();
        string[] args = [.. Ports(), "--data", data.Path];
        args[Array.IndexOf(args, "--silo-port") + 1] = first.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture);

        ProcessResult result = await RunSiloAsync(args);
        AssertRefused(result, "(--silo-port) is already in use");
    }

    [Fact]
    public async Task Sigterm_stops_the_silo_cleanly_with_exit_code_0_and_no_exception()
    {
        using SiloProcess silo = await SiloProcess.StartNewAsync();
        await Kcat.ProduceAsync(silo, TestData.UniqueTopic("sigterm"), TestData.Records("k", 10));
        Assert.Equal(0, await silo.StopGracefullyAsync(s_timeout));

        Assert.DoesNotContain("Exception", silo.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(" fail: ", silo.Output, StringComparison.Ordinal);
    }

    private static void AssertRefused(ProcessResult result, string expected)
    {
        Assert.True(result.ExitCode == 2, $"exit code {result.ExitCode}, expected 2\n{result.Describe()}");
        string[] errorLines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(errorLines.Length == 1, $"expected one line on stderr:\n{result.Describe()}");
        Assert.Contains(expected, errorLines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    private static string[] Ports()
    {
        var listeners = Enumerable.Range(0, 3).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            string Port(int i) => ((IPEndPoint)listeners[i].LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return ["--port", Port(0), "--http-port", Port(1), "--silo-port", Port(2), "--gateway-port", "0"];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    private static Task<ProcessResult> RunSiloAsync(IEnumerable<string> args) =>
        RunningProcess.RunAsync("dotnet", [RepoPaths.SiloDll, .. args], timeout: s_timeout);
}
