using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Client.Tests;

/// <summary>The README's sample is this project's <see cref="ReadmeSample"/>, verbatim, and it runs.</summary>
public sealed class ReadmeSampleTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    [Fact]
    public void The_readme_quotes_the_sample_verbatim()
    {
        string source = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "Runnel.Client.Tests", "ReadmeSample.cs"));
        int start = source.IndexOf("// README-SAMPLE-START", StringComparison.Ordinal);
        int end = source.IndexOf("        // README-SAMPLE-END", StringComparison.Ordinal);
        start = source.IndexOf('\n', start) + 1;
        string sample = string.Join('\n', source[start..end].Split('\n').Select(l => l.Length >= 8 ? l[8..] : l.TrimStart()));
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "Client", "Runnel.Client", "README.md")).ReplaceLineEndings("\n");
        Assert.True(readme.Contains(sample.TrimEnd(), StringComparison.Ordinal), "Client/Runnel.Client/README.md must quote ReadmeSample.RunAsync verbatim:\n" + sample);
    }

    [Fact]
    public async Task The_sample_runs()
    {
        string topic = TestData.UniqueTopic("readme");
        Assert.Equal("0:0", await ReadmeSample.RunAsync(fixture.Silo.BootstrapServers, topic).WaitAsync(TimeSpan.FromSeconds(60)));
        List<ConsumedRecord> records = await Kcat.ConsumeAsync(fixture.Silo, topic);
        Assert.Equal("order-17", Assert.Single(records).Key);
    }
}
