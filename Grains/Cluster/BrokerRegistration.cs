namespace Runnel.Grains.Cluster;

/// <summary>
/// A silo as Kafka clients see it: its stable node (broker) id and the Kafka address it advertises, with the Orleans
/// silo address of its current run (ip:port:generation), which tells a live registration from a stale one.
/// </summary>
public sealed record BrokerRegistration(int NodeId, string Host, int Port, string Silo);
