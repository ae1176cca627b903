using Microsoft.Extensions.Options;

namespace Runnel.Silo.Hosting;

/// <summary>The silo's HTTP listener: /health, /metrics, /groups.</summary>
public sealed class AdminHttpOptions
{
    /// <summary>Address to bind. Default 127.0.0.1 (<c>--host</c>, shared with the Kafka listener).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>HTTP port. Default 9644 (<c>--http-port</c>).</summary>
    public int Port { get; set; } = 9644;
}

public sealed class AdminHttpOptionsValidator : IValidateOptions<AdminHttpOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminHttpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!System.Net.IPAddress.TryParse(options.Host, out _))
        {
            return ValidateOptionsResult.Fail($"--host must be an IP address to listen on, not '{options.Host}'.");
        }

        return options.Port is < 0 or > 65535
            ? ValidateOptionsResult.Fail($"--http-port must be from 0 to 65535, not {options.Port}.")
            : ValidateOptionsResult.Success;
    }
}
