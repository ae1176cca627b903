using System.Net;
using System.Net.Sockets;

namespace Runnel.Silo.Hosting;

/// <summary>
/// Orleans listens with SO_REUSEPORT on Linux, so a second silo started on a port that is already taken does not
/// fail: the kernel shares the port between the two and hands each connection to either. The silo therefore checks
/// its Orleans ports itself, with a plain bind that such a listener refuses.
/// </summary>
internal static class OrleansPorts
{
    public static void EnsureFree(ClusteringOptions options)
    {
        EnsureFree(options.SiloPort, "--silo-port");
        if (options.GatewayPort != 0)
        {
            EnsureFree(options.GatewayPort, "--gateway-port");
        }
    }

    private static void EnsureFree(int port, string option)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new IOException($"127.0.0.1:{port} ({option}) is already in use.", ex);
        }
    }
}
