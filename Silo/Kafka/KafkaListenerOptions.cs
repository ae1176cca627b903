using Microsoft.Extensions.Options;

namespace Runnel.Silo.Kafka;

/// <summary>The Kafka protocol listener: where it listens, what Metadata advertises, how large a request may be.</summary>
public sealed class KafkaListenerOptions
{
    /// <summary>Address the listener binds to and Metadata advertises. Default 127.0.0.1 (<c>--host</c>).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Kafka protocol port. Default 9092 (<c>--port</c>).</summary>
    public int Port { get; set; } = 9092;

    /// <summary>Host Metadata advertises to clients; null: <see cref="Host"/> (<c>--advertised-host</c>).</summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>Port Metadata advertises to clients; 0: <see cref="Port"/> (<c>--advertised-port</c>).</summary>
    public int AdvertisedPort { get; set; }

    /// <summary>The host clients are told to connect to.</summary>
    public string EffectiveAdvertisedHost => string.IsNullOrWhiteSpace(AdvertisedHost) ? Host : AdvertisedHost;

    /// <summary>The port clients are told to connect to.</summary>
    public int EffectiveAdvertisedPort => AdvertisedPort > 0 ? AdvertisedPort : Port;

    /// <summary>Largest request frame accepted, as Kafka's socket.request.max.bytes; larger frames close the connection. Default 100 MiB.</summary>
    public int MaxRequestBytes { get; set; } = 100 * 1024 * 1024;
}

/// <summary>Refuses listener settings that cannot work, naming the option.</summary>
public sealed class KafkaListenerOptionsValidator : IValidateOptions<KafkaListenerOptions>
{
    public ValidateOptionsResult Validate(string? name, KafkaListenerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!System.Net.IPAddress.TryParse(options.Host, out _))
        {
            failures.Add($"--host must be an IP address to listen on, not '{options.Host}'.");
        }

        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"--port must be from 0 to 65535, not {options.Port}.");
        }

        if (options.AdvertisedPort is < 0 or > 65535)
        {
            failures.Add($"--advertised-port must be from 0 to 65535, not {options.AdvertisedPort}.");
        }

        if (options.MaxRequestBytes < 1024)
        {
            failures.Add($"--max-request-bytes must be at least 1024, not {options.MaxRequestBytes}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
