using Microsoft.Extensions.Options;
using Runnel.Grains;
using Runnel.Grains.Cluster;
using Runnel.Grains.Topics;
using Runnel.Silo.Kafka;

namespace Runnel.Silo.Cluster;

/// <summary>
/// Registers this silo as a broker in the cluster metadata once Orleans' membership has it active: its node id,
/// the Kafka address clients should use, and its silo address. Refuses to start when a live silo already holds the
/// node id, since two brokers with one id would split every partition they lead.
/// </summary>
internal sealed partial class BrokerRegistrar : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly TopicService _topics;
    private readonly IClusterNodes _nodes;
    private readonly ILocalSiloDetails _silo;
    private readonly KafkaListenerOptions _kafka;
    private readonly ILogger<BrokerRegistrar> _logger;

    public BrokerRegistrar(TopicService topics, IClusterNodes nodes, ILocalSiloDetails silo, IOptions<KafkaListenerOptions> kafka, ILogger<BrokerRegistrar> logger)
    {
        _topics = topics;
        _nodes = nodes;
        _silo = silo;
        _kafka = kafka.Value;
        _logger = logger;
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(BrokerRegistrar), ServiceLifecycleStage.Active, RegisterAsync);

    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        await _topics.Store.RefreshAsync(cancellationToken).ConfigureAwait(false);
        int node = _nodes.LocalNode;
        string silo = _silo.SiloAddress.ToParsableString();
        if (_topics.Store.Current.Brokers.TryGetValue(node, out BrokerRegistration? existing) && existing.Silo != silo && _nodes.IsAlive(node))
        {
            throw new InvalidOperationException($"Node id {node} (--node-id) is already used by the live silo {existing.Silo} ({existing.Host}:{existing.Port}); every silo of a cluster needs its own.");
        }

        var registration = new BrokerRegistration(node, _kafka.EffectiveAdvertisedHost, _kafka.EffectiveAdvertisedPort, silo);
        if (!await _topics.Store.RegisterBrokerAsync(registration, cancellationToken).ConfigureAwait(false))
        {
            throw new IOException("This silo could not register itself in the cluster metadata (the blob store did not accept the write).");
        }

        LogRegistered(_logger, node, registration.Host, registration.Port, silo);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered as broker {Node} at {Host}:{Port} (silo {Silo})")]
    private static partial void LogRegistered(ILogger logger, int node, string host, int port, string silo);
}
