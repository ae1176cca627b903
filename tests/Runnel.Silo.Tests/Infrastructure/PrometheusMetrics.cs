using System.Text;

namespace Runnel.Silo.Tests.Infrastructure;

/// <summary>
/// A parsed Prometheus text exposition: sample values by metric name and label set, and each family's # TYPE.
/// OpenTelemetry's exporter labels every sample with the meter it came from (otel_scope_name, otel_scope_version);
/// those labels say where a series comes from, not which series it is, so they are kept apart and left out of the
/// keys the lookups match.
/// </summary>
public sealed class PrometheusMetrics
{
    private const string ScopeLabelPrefix = "otel_scope_";

    private readonly Dictionary<string, double> _samples;
    private readonly Dictionary<string, string> _types;
    private readonly Dictionary<string, string> _scopes;

    private PrometheusMetrics(Dictionary<string, double> samples, Dictionary<string, string> types, Dictionary<string, string> scopes, string text)
    {
        _samples = samples;
        _types = types;
        _scopes = scopes;
        Text = text;
    }

    public string Text { get; }

    public IEnumerable<string> SampleKeys => _samples.Keys;

    public static PrometheusMetrics Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var scopes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length != 4)
                {
                    throw new FormatException("Bad TYPE line: " + line);
                }

                types[parts[2]] = parts[3];
                continue;
            }

            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var i = 0;
            while (i < line.Length && line[i] != '{' && line[i] != ' ' && line[i] != '\t')
            {
                i++;
            }

            var name = line[..i];
            var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (i < line.Length && line[i] == '{')
            {
                i++;
                while (true)
                {
                    while (i < line.Length && (line[i] == ',' || line[i] == ' '))
                    {
                        i++;
                    }

                    if (i >= line.Length)
                    {
                        throw new FormatException("Unterminated label set: " + line);
                    }

                    if (line[i] == '}')
                    {
                        i++;
                        break;
                    }

                    var eq = line.IndexOf('=', i);
                    if (eq < 0 || eq + 1 >= line.Length || line[eq + 1] != '"')
                    {
                        throw new FormatException("Bad label in: " + line);
                    }

                    var labelName = line[i..eq].Trim();
                    var value = new StringBuilder();
                    i = eq + 2;
                    while (i < line.Length && line[i] != '"')
                    {
                        if (line[i] == '\\' && i + 1 < line.Length)
                        {
                            i++;
                            value.Append(line[i] == 'n' ? '\n' : line[i]);
                        }
                        else
                        {
                            value.Append(line[i]);
                        }

                        i++;
                    }

                    i++; // closing quote
                    labels[labelName] = value.ToString();
                }
            }

            var rest = line[i..].Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (rest.Length == 0)
            {
                throw new FormatException("Sample without a value: " + line);
            }

            if (labels.TryGetValue(ScopeLabelPrefix + "name", out var scope))
            {
                scopes[name] = scope;
            }

            foreach (var scopeLabel in labels.Keys.Where(k => k.StartsWith(ScopeLabelPrefix, StringComparison.Ordinal)).ToList())
            {
                labels.Remove(scopeLabel);
            }

            var key = Key(name, labels);
            if (!samples.TryAdd(key, ParseValue(rest[0])))
            {
                // Two meters exporting the same series would make every lookup of it ambiguous.
                throw new FormatException("Duplicate sample (apart from the scope labels): " + line);
            }
        }

        return new PrometheusMetrics(samples, types, scopes, text);
    }

    /// <summary>The family's type from its # TYPE line (counter, gauge, histogram, ...), or null.</summary>
    public string? TypeOf(string family) => _types.TryGetValue(family, out var type) ? type : null;

    /// <summary>Every meter (otel_scope_name) some sample was exported from.</summary>
    public IReadOnlyCollection<string> Scopes => _scopes.Values.Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The meter (otel_scope_name) a sample name was exported from, or null when unlabelled.</summary>
    public string? ScopeOf(string name) => _scopes.TryGetValue(name, out var scope) ? scope : null;

    /// <summary>The sample's value, or null when the exposition does not have it.</summary>
    public double? Find(string name, params (string Name, string Value)[] labels)
    {
        var set = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (labelName, value) in labels)
        {
            set[labelName] = value;
        }

        return _samples.TryGetValue(Key(name, set), out var v) ? v : null;
    }

    /// <summary>The sample's value, 0 when absent (a counter not yet incremented).</summary>
    public double Get(string name, params (string Name, string Value)[] labels) => Find(name, labels) ?? 0;

    /// <summary>The sum over every sample of a metric whose labels include <paramref name="labels"/>.</summary>
    public double Sum(string name, params (string Name, string Value)[] labels)
    {
        var total = 0.0;
        foreach (var (key, value) in _samples)
        {
            if (key == name || key.StartsWith(name + "{", StringComparison.Ordinal))
            {
                if (labels.All(l => key.Contains($"{l.Name}=\"{l.Value}\"", StringComparison.Ordinal)))
                {
                    total += value;
                }
            }
        }

        return total;
    }

    /// <summary>Whether any sample of that metric name exists.</summary>
    public bool Has(string name) =>
        _samples.Keys.Any(k => k == name || k.StartsWith(name + "{", StringComparison.Ordinal));

    private static string Key(string name, SortedDictionary<string, string> labels) =>
        labels.Count == 0 ? name : name + "{" + string.Join(',', labels.Select(l => $"{l.Key}=\"{l.Value}\"")) + "}";

    private static double ParseValue(string token) => token switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(token, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
