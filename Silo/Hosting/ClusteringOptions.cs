using Microsoft.Extensions.Options;

namespace Runnel.Silo.Hosting;

/// <summary>Which membership store the silos of one cluster share.</summary>
public enum ClusteringProvider
{
    /// <summary>One silo on its own: Orleans' development clustering on 127.0.0.1. The default.</summary>
    Localhost,

    /// <summary>Azure Table storage (or Azurite's table service): Orleans' membership table for a cluster of silos.</summary>
    AzureTable,
}

/// <summary>How this silo joins its Orleans cluster (section Clustering).</summary>
public sealed class ClusteringOptions
{
    /// <summary>The membership store. Default localhost: one silo (<c>--clustering</c>).</summary>
    public ClusteringProvider Provider { get; set; } = ClusteringProvider.Localhost;

    /// <summary>Connection string of the membership store; required for azure-table (<c>--clustering-connection-string</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Address other silos reach this one at (Orleans' advertised address). Default 127.0.0.1 (<c>--silo-host</c>).</summary>
    public string SiloHost { get; set; } = "127.0.0.1";

    /// <summary>Orleans silo-to-silo port. Default 11111 (<c>--silo-port</c>).</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Orleans gateway port for Orleans clients; 0 = no gateway. Default 30000 (<c>--gateway-port</c>).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Silos with the same cluster id form one cluster. Default <c>runnel</c> (<c>--cluster-id</c>).</summary>
    public string ClusterId { get; set; } = "runnel";

    /// <summary>Stays the same across deployments of one Runnel. Default <c>runnel</c> (<c>--service-id</c>).</summary>
    public string ServiceId { get; set; } = "runnel";

    /// <summary>
    /// How long a silo waits for a probe answer before counting it missed. Default 5 s, Orleans' production value
    /// (<c>--membership-probe-timeout-ms</c>); tests use 1 s.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Missed probes before a silo suspects another. Default 3 (<c>--membership-missed-probes</c>); tests use 2.</summary>
    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>Suspicions needed to declare a silo dead. Default 2 (<c>--membership-votes-for-death</c>); tests use 1.</summary>
    public int VotesForDeath { get; set; } = 2;

    /// <summary>How often a silo rereads the membership table. Default 60 s (<c>--membership-table-refresh-ms</c>); tests use 1 s.</summary>
    public TimeSpan TableRefreshTimeout { get; set; } = TimeSpan.FromSeconds(60);
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

        if (!System.Net.IPAddress.TryParse(options.SiloHost, out _))
        {
            failures.Add($"--silo-host must be an IP address, not '{options.SiloHost}'.");
        }

        if (options.Provider == ClusteringProvider.AzureTable && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("--clustering azure-table needs --clustering-connection-string (RUNNEL_CLUSTERING_CONNECTION_STRING), e.g. Azurite's table endpoint.");
        }

        if (options.ProbeTimeout <= TimeSpan.Zero || options.MissedProbesLimit < 1 || options.VotesForDeath < 1 || options.TableRefreshTimeout <= TimeSpan.Zero)
        {
            failures.Add("Membership settings need a positive probe timeout and table refresh, and at least 1 missed probe and 1 vote.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
