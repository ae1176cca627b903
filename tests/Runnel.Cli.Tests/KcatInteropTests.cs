using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Cli.Tests;

/// <summary>The tool and kcat (librdkafka) read each other's records with keys and headers intact.</summary>
[Collection(SiloCollection.Name)]
public sealed class KcatInteropTests(SiloFixture fixture)
{
    private SiloProcess Silo => fixture.Silo;

    [Fact]
    public async Task Records_produced_by_the_cli_are_read_by_kcat()
    {
        string topic = TestData.UniqueTopic("cli-to-kcat");
        await CliRunner.JsonAsync(Silo, "topic", "create", topic);
        (await CliRunner.RunAsync(Silo, ["produce", topic, "-K", ":", "-H", "h1=one", "-H", "h2=two", "--compression", "lz4"], "k1:v1\nk2:v2 with spaces\n")).EnsureSuccess();

        ProcessResult kcat = (await Kcat.RunAsync(["-C", "-b", Silo.BootstrapServers, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k|%s|%h\n"], timeout: TimeSpan.FromSeconds(60))).EnsureSuccess();
        Assert.Equal(["k1|v1|h1=one,h2=two", "k2|v2 with spaces|h1=one,h2=two"], kcat.StdoutLines.Where(l => l.Length > 0));
    }

    [Fact]
    public async Task Records_produced_by_kcat_are_read_by_the_cli()
    {
        string topic = TestData.UniqueTopic("kcat-to-cli");
        await CliRunner.JsonAsync(Silo, "topic", "create", topic);
        (await Kcat.RunAsync(["-P", "-b", Silo.BootstrapServers, "-t", topic, "-K:", "-H", "src=kcat", "-H", "n=1"], "a:alpha\nb:bravo\n")).EnsureSuccess();

        ProcessResult text = (await CliRunner.RunAsync(Silo, ["consume", topic, "--format", "{key}|{value}|{headers}"])).EnsureSuccess();
        Assert.Equal(["a|alpha|src=kcat,n=1", "b|bravo|src=kcat,n=1"], text.StdoutLines);
    }

    [Fact]
    public async Task Produced_lines_keep_their_exact_bytes_even_when_they_are_not_utf8()
    {
        string topic = TestData.UniqueTopic("cli-bytes");
        await CliRunner.JsonAsync(Silo, "topic", "create", topic);
        string path = Path.Combine(Path.GetTempPath(), $"runnel-cli-{Guid.NewGuid():N}.bin");
        try
        {
            // Not UTF-8 (0xff 0xfe), a CRLF line end, and a last line without a newline.
            await File.WriteAllBytesAsync(path, [.. "k1:"u8, 0xff, 0xfe, .. "abc\r\nk2:plain\nno-newline"u8]);
            (await CliRunner.RunAsync(Silo, ["produce", topic, "--file", path, "--key-separator", ":"])).EnsureSuccess();
        }
        finally
        {
            File.Delete(path);
        }

        // kcat prints key and value sizes in bytes: a replacement character would make the first value 9 bytes, not 5.
        ProcessResult sizes = (await Kcat.RunAsync(["-C", "-b", Silo.BootstrapServers, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%K %S\n"], timeout: TimeSpan.FromSeconds(60))).EnsureSuccess();
        Assert.Equal(["2 5", "2 5", "-1 10"], sizes.StdoutLines.Where(l => l.Length > 0));
    }
}
