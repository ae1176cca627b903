namespace Runnel.Client.Network;

/// <summary>A broker as Metadata describes it; bootstrap servers get negative ids until Metadata names them.</summary>
internal sealed record BrokerEndpoint(int NodeId, string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port} (node {NodeId})";

    /// <summary>Parses a comma-separated <c>host:port</c> list; bootstrap entries get ids -1, -2, ...</summary>
    public static List<BrokerEndpoint> ParseBootstrap(string servers)
    {
        var list = new List<BrokerEndpoint>();
        foreach (string part in servers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = part.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(part.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) || port is <= 0 or > 65535)
            {
                throw new ArgumentException($"'{part}' is not a host:port pair.", nameof(servers));
            }

            list.Add(new BrokerEndpoint(-(list.Count + 1), part[..colon].Trim('[', ']'), port));
        }

        if (list.Count == 0)
        {
            throw new ArgumentException("BootstrapServers names no broker.", nameof(servers));
        }

        return list;
    }
}
