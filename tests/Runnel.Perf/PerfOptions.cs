using System.Globalization;

namespace Runnel.Perf;

/// <summary>
/// The command line: <c>runnel-perf &lt;system&gt; &lt;mode&gt; --name value ...</c>. Names follow the Kafka perf tools where one
/// exists (num-records, record-size, throughput, acks, batch-size, linger-ms, compression, fetch-size).
/// </summary>
public sealed class PerfOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public required string System { get; init; }

    public required string Mode { get; init; }

    public static PerfOptions Parse(string[] args)
    {
        if (args.Length < 2)
        {
            throw new ArgumentException("usage: runnel-perf <kafka|redis|nats> <produce|consume|e2e> [--option value]...");
        }

        var options = new PerfOptions { System = args[0], Mode = args[1] };
        for (int i = 2; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected '--name value', got '{arg}'");
            }

            options._values[arg[2..]] = args[++i];
        }

        return options;
    }

    public string Get(string name, string fallback) => _values.TryGetValue(name, out string? value) ? value : fallback;

    public long GetLong(string name, long fallback)
    {
        if (!_values.TryGetValue(name, out string? value))
        {
            return fallback;
        }

        return long.TryParse(value.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed)
            ? parsed
            : throw new ArgumentException($"--{name}: '{value}' is not a whole number");
    }

    public int GetInt(string name, int fallback)
    {
        long value = GetLong(name, fallback);
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw new ArgumentException($"--{name}: {value} is out of range");
    }

    public double GetDouble(string name, double fallback)
    {
        if (!_values.TryGetValue(name, out string? value))
        {
            return fallback;
        }

        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) && double.IsFinite(parsed)
            ? parsed
            : throw new ArgumentException($"--{name}: '{value}' is not a number");
    }

    /// <summary>Every option given, for the summary line.</summary>
    public IEnumerable<KeyValuePair<string, string>> All => _values;
}
