using System.Globalization;

namespace Runnel.Silo.Hosting;

/// <summary>Parses the silo's command line and environment into <see cref="SiloOptions"/>, with clear errors.</summary>
public static class SiloCommandLine
{
    private static readonly (string Flag, string Env, string Help)[] Known =
    [
        ("--host", "RUNNEL_HOST", "address to listen on (default 127.0.0.1)"),
        ("--port", "RUNNEL_PORT", "Kafka protocol port (default 9092)"),
        ("--http-port", "RUNNEL_HTTP_PORT", "HTTP port for /health and /metrics (default 9644)"),
        ("--data", "RUNNEL_DATA", "data folder (default .data/silo)"),
        ("--node-id", "RUNNEL_NODE_ID", "broker id (default 0)"),
        ("--auto-create-topics", "RUNNEL_AUTO_CREATE_TOPICS", "true|false (default true)"),
        ("--num-partitions", "RUNNEL_NUM_PARTITIONS", "partitions of auto-created topics (default 1)"),
        ("--max-request-bytes", "RUNNEL_MAX_REQUEST_BYTES", "largest request frame (default 104857600)"),
        ("--flush-interval-ms", "RUNNEL_FLUSH_INTERVAL_MS", "fsync interval of logs (default 1000)"),
    ];

    public static string Usage
    {
        get
        {
            var lines = new List<string> { "Usage: Runnel.Silo [options]" };
            foreach ((string flag, string env, string help) in Known)
            {
                lines.Add($"  {flag,-22} {help} [{env}]");
            }

            return string.Join(Environment.NewLine, lines);
        }
    }

    /// <summary>Parses; throws <see cref="ArgumentException"/> with a message meant for the user on bad input.</summary>
    public static SiloOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string flag, string env, _) in Known)
        {
            string? fromEnv = environment(env);
            if (!string.IsNullOrEmpty(fromEnv))
            {
                values[flag] = fromEnv;
            }
        }

        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string flag = arg;
            string? value = null;
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                flag = arg[..eq];
                value = arg[(eq + 1)..];
            }

            if (!IsKnown(flag))
            {
                throw new ArgumentException($"Unknown option '{arg}'.{Environment.NewLine}{Usage}");
            }

            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"Option '{flag}' needs a value.");
                }

                value = args[++i];
            }

            values[flag] = value;
        }

        var options = new SiloOptions();
        foreach ((string flag, string value) in values)
        {
            Apply(options, flag, value);
        }

        return options;
    }

    private static bool IsKnown(string flag)
    {
        foreach ((string known, _, _) in Known)
        {
            if (known == flag)
            {
                return true;
            }
        }

        return false;
    }

    private static void Apply(SiloOptions options, string flag, string value)
    {
        switch (flag)
        {
            case "--host": options.Host = value; break;
            case "--port": options.Port = Int(flag, value, 0, 65535); break;
            case "--http-port": options.HttpPort = Int(flag, value, 0, 65535); break;
            case "--data": options.DataPath = value; break;
            case "--node-id": options.NodeId = Int(flag, value, 0, int.MaxValue); break;
            case "--auto-create-topics": options.AutoCreateTopics = Bool(flag, value); break;
            case "--num-partitions": options.DefaultPartitions = Int(flag, value, 1, 100_000); break;
            case "--max-request-bytes": options.MaxRequestBytes = Int(flag, value, 1024, int.MaxValue); break;
            case "--flush-interval-ms": options.FlushIntervalMs = Int(flag, value, 0, int.MaxValue); break;
        }
    }

    private static int Int(string flag, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int result) || result < min || result > max)
        {
            throw new ArgumentException($"Option '{flag}' takes a whole number from {min} to {max}, not '{value}'.");
        }

        return result;
    }

    private static bool Bool(string flag, string value) => value.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => throw new ArgumentException($"Option '{flag}' takes true or false, not '{value}'."),
    };
}
