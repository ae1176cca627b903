using Microsoft.Extensions.Options;

namespace Runnel.Silo.Hosting;

/// <summary>How this silo joins its Orleans cluster. One silo uses localhost clustering.</summary>
public sealed class ClusteringOptions
{
    /// <summary>Orleans silo-to-silo port. Default 11111 (<c>--silo-port</c>).</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Orleans gateway port for Orleans clients; 0 = no gateway. Default 30000 (<c>--gateway-port</c>).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Silos with the same cluster id form one cluster. Default <c>runnel</c> (<c>--cluster-id</c>).</summary>
    public string ClusterId { get; set; } = "runnel";

    /// <summary>Stays the same across deployments of one Runnel. Default <c>runnel</c> (<c>--service-id</c>).</summary>
    public string ServiceId { get; set; } = "runnel";
}

public sealed class ClusteringOptionsValidator : IValidateOptions<ClusteringOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusteringOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.SiloPort is < 1 or > 65535)
        {
            failures.Add($"--silo-port must be from 1 to 65535, not {options.SiloPort}.");
        }

        if (options.GatewayPort is < 0 or > 65535)
        {
            failures.Add($"--gateway-port must be from 0 to 65535, not {options.GatewayPort}.");
        }

        if (string.IsNullOrWhiteSpace(options.ClusterId) || string.IsNullOrWhiteSpace(options.ServiceId))
        {
            failures.Add("--cluster-id and --service-id must not be empty.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
