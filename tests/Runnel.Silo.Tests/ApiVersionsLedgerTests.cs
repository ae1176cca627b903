using System.Globalization;
using System.Text.RegularExpressions;
using Runnel.Protocol;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests;

/// <summary>
/// The README's compatibility ledger (section "Kafka APIs") against what a running silo advertises in ApiVersions:
/// the same API keys with the same version ranges, both ways, so neither can change without the other.
/// </summary>
public sealed partial class ApiVersionsLedgerTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private readonly SiloProcess _silo = fixture.Silo;

    [Fact]
    public async Task The_readme_ledger_lists_exactly_the_versions_the_silo_advertises()
    {
        List<LedgerRow> ledger = ReadLedger(Path.Combine(RepoPaths.Root, "README.md"));

        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        (short error, List<ApiVersionRange> advertised) = await connection.ApiVersionsV0Async();

        Assert.Equal(0, error);
        Assert.Equal(
            advertised.OrderBy(r => r.ApiKey).Select(r => $"{r.ApiKey} {(ApiKey)r.ApiKey} {r.MinVersion}-{r.MaxVersion}"),
            ledger.Select(r => $"{r.Key} {r.Name} {r.Min}-{r.Max}"));
        Assert.All(ledger, row => Assert.False(string.IsNullOrWhiteSpace(row.TestedWith), $"ledger row {row.Name} names no client"));
    }

    private static List<LedgerRow> ReadLedger(string readme)
    {
        string text = File.ReadAllText(readme);
        int start = text.IndexOf("\n## Kafka APIs\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no '## Kafka APIs' section");
        int end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        string section = end < 0 ? text[start..] : text[start..end];

        var rows = new List<LedgerRow>();
        foreach (string line in section.Split('\n'))
        {
            if (!LedgerLine().IsMatch(line))
            {
                continue;
            }

            Match row = LedgerRowPattern().Match(line);
            Assert.True(row.Success, $"ledger row not in the form '| key | API | min–max | clients | notes |': {line}");
            short min = short.Parse(row.Groups["min"].Value, CultureInfo.InvariantCulture);
            short max = row.Groups["max"].Success ? short.Parse(row.Groups["max"].Value, CultureInfo.InvariantCulture) : min;
            rows.Add(new LedgerRow(short.Parse(row.Groups["key"].Value, CultureInfo.InvariantCulture), row.Groups["name"].Value, min, max, row.Groups["clients"].Value));
        }

        Assert.True(rows.Count > 0, "the ledger in README.md has no rows");
        Assert.Equal(rows.OrderBy(r => r.Key).Select(r => r.Key), rows.Select(r => r.Key));
        return rows;
    }

    private sealed record LedgerRow(short Key, string Name, short Min, short Max, string TestedWith);

    [GeneratedRegex(@"^\|\s*\d")]
    private static partial Regex LedgerLine();

    [GeneratedRegex(@"^\|\s*(?<key>\d+)\s*\|\s*(?<name>[A-Za-z]+)\s*\|\s*(?<min>\d+)(?:\s*[–-]\s*(?<max>\d+))?\s*\|(?<clients>[^|]*)\|")]
    private static partial Regex LedgerRowPattern();
}
