namespace Runnel.Silo.Hosting;

/// <summary>
/// How one silo runs. Every option has a command-line form and an environment variable; the command line wins.
/// </summary>
public sealed class SiloOptions
{
    /// <summary>Address both listeners bind to. Default 127.0.0.1 (<c>--host</c>, RUNNEL_HOST).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Kafka protocol port. Default 9092 (<c>--port</c>, RUNNEL_PORT).</summary>
    public int Port { get; set; } = 9092;

    /// <summary>HTTP port for /health and /metrics. Default 9644 (<c>--http-port</c>, RUNNEL_HTTP_PORT).</summary>
    public int HttpPort { get; set; } = 9644;

    /// <summary>Folder holding logs and metadata. Default <c>.data/silo</c> under the working directory (<c>--data</c>, RUNNEL_DATA).</summary>
    public string DataPath { get; set; } = Path.Combine(".data", "silo");

    /// <summary>This silo's broker id in Metadata responses. Default 0 (<c>--node-id</c>, RUNNEL_NODE_ID).</summary>
    public int NodeId { get; set; }

    /// <summary>Create unknown topics on Metadata or Produce when the client allows it, as Kafka's auto.create.topics.enable. Default true.</summary>
    public bool AutoCreateTopics { get; set; } = true;

    /// <summary>Partitions of an auto-created topic, and of CreateTopics with -1, as Kafka's num.partitions. Default 1.</summary>
    public int DefaultPartitions { get; set; } = 1;

    /// <summary>Largest request frame accepted, as Kafka's socket.request.max.bytes. Default 100 MiB; larger frames close the connection.</summary>
    public int MaxRequestBytes { get; set; } = 100 * 1024 * 1024;

    /// <summary>fsync interval of partition logs in milliseconds. Default 1000. Writes reach the OS before every acknowledgement regardless.</summary>
    public int FlushIntervalMs { get; set; } = 1000;
}
