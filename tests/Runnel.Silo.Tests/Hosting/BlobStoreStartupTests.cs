using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Hosting;

/// <summary>
/// A silo process given Azure blob settings it cannot use stops at once with exit code 2 and one line that says
/// why (no stack trace, no secret repeated), before it listens or touches its data folder.
/// </summary>
public sealed class BlobStoreStartupTests
{
    private const string SecretKey = "c2VjcmV0LWtleS10aGF0LW11c3Qtbm90LWJlLXByaW50ZWQ=";

    [Theory]
    [InlineData("garbage", "connection string is not valid")]
    [InlineData("UseDevelopmentStorage=false", "connection string is not valid")]
    [InlineData("AccountName=runnel;AccountKey=" + SecretKey + ";AccountName=again", "Duplicate setting 'AccountName'")]
    [InlineData("DefaultEndpointsProtocol=ftp;AccountName=runnel;AccountKey=" + SecretKey, "connection string is not valid")]
    public async Task A_malformed_connection_string_is_one_line_and_exit_code_2(string connectionString, string expected)
    {
        var result = await RunSiloAsync(["--blob-store", "azure", "--blob-connection-string", connectionString]);

        AssertOneLineError(result, expected);
        Assert.DoesNotContain(SecretKey, result.Stderr + result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_connection_string_from_the_environment_is_refused_the_same_way()
    {
        var result = await RunSiloAsync(["--blob-store", "azure"], new Dictionary<string, string?> { ["RUNNEL_BLOB_CONNECTION_STRING"] = "AccountName=runnel" });

        AssertOneLineError(result, "No valid combination of account information");
    }

    [Fact]
    public async Task Azure_without_a_connection_string_names_the_option()
    {
        var result = await RunSiloAsync(["--blob-store", "azure"], new Dictionary<string, string?> { ["RUNNEL_BLOB_CONNECTION_STRING"] = null });

        AssertOneLineError(result, "--blob-store azure needs --blob-connection-string");
    }

    [Theory]
    [InlineData(new[] { "--blob-retry-delay-ms", "5000", "--blob-retry-max-delay-ms", "100" }, "retry delay <= retry max delay")]
    [InlineData(new[] { "--blob-container", "Not_A_Container" }, "Invalid blob container name")]
    public async Task Retry_and_container_settings_that_cannot_work_are_refused_at_start(string[] more, string expected)
    {
        var result = await RunSiloAsync(["--blob-store", "azure", "--blob-connection-string", "UseDevelopmentStorage=true", .. more]);

        AssertOneLineError(result, expected);
    }

    private static async Task<ProcessResult> RunSiloAsync(string[] arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        string data = Path.Combine(Path.GetTempPath(), "runnel-tests", "bad-blob-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            return await RunningProcess.RunAsync("dotnet", [RepoPaths.SiloDll, "--port", "0", "--http-port", "0", "--data", data, .. arguments],
                timeout: TimeSpan.FromSeconds(60), environment: environment);
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    private static void AssertOneLineError(ProcessResult result, string expected)
    {
        Assert.True(result.ExitCode == 2, $"expected exit code 2\n{result.Describe()}");
        string[] lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr\n{result.Describe()}");
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr + result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("ready", result.Stdout, StringComparison.Ordinal);
    }
}
