using System.Collections.Immutable;
using Runnel.Grains.Cluster;

namespace Runnel.Grains.Metadata;

/// <summary>What the cluster keeps beside topics: producer id blocks, registered brokers, partition leaders.</summary>
public sealed partial class ClusterMetadataStore
{
    private readonly Lock _producerIds = new();
    private long _nextProducerId;
    private long _producerIdBlockEnd;

    /// <summary>
    /// InitProducerId: a producer id never handed out before, by any silo, also across restarts. Each silo reserves
    /// blocks by advancing the stored high-water mark; ids of a block unused at a crash are skipped, never reused.
    /// </summary>
    /// <exception cref="IOException">A new block could not be reserved; no id was handed out.</exception>
    public async Task<long> AllocateProducerIdAsync(CancellationToken cancellationToken = default)
    {
        lock (_producerIds)
        {
            if (_nextProducerId < _producerIdBlockEnd)
            {
                return _nextProducerId++;
            }
        }

        (long start, Exception? failure) = await ChangeAsync<(long, Exception?)>(
            current => (current with { ProducerIdBlockEnd = current.ProducerIdBlockEnd + ProducerIdBlockSize }, (current.ProducerIdBlockEnd, null)),
            e => (-1, e),
            cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            throw new IOException($"No producer id block could be reserved: {failure.Message}", failure);
        }

        lock (_producerIds)
        {
            // A block reserved meanwhile by another caller of this silo is simply left unused.
            _nextProducerId = start + 1;
            _producerIdBlockEnd = start + ProducerIdBlockSize;
            return start;
        }
    }

    /// <summary>Registers (or re-registers) a broker: its node id, advertised Kafka address and current silo address.</summary>
    public Task<bool> RegisterBrokerAsync(BrokerRegistration broker, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(broker);
        return ChangeAsync(
            current => current.Brokers.TryGetValue(broker.NodeId, out BrokerRegistration? known) && known == broker
                ? (null, true)
                : (current with { Brokers = current.Brokers.SetItem(broker.NodeId, broker) }, true),
            _ => false,
            cancellationToken);
    }

    /// <summary>
    /// Sets partition leaders, each only if the partition still has the epoch the caller decided on (a move decided
    /// on stale metadata is dropped, not applied over a newer one). Returns how many moves were stored.
    /// </summary>
    public Task<int> MovePartitionsAsync(IReadOnlyList<PartitionMove> moves, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(moves);
        return ChangeAsync(
            current =>
            {
                ImmutableSortedDictionary<string, TopicMetadata> topics = current.Topics;
                int applied = 0;
                foreach (PartitionMove move in moves)
                {
                    if (topics.TryGetValue(move.Topic, out TopicMetadata? topic) && topic.TopicId == move.TopicId
                        && topic.Assignment(move.Partition).Epoch == move.FromEpoch)
                    {
                        var assignment = new PartitionAssignment(move.ToNode, move.FromEpoch + 1);
                        topics = topics.SetItem(move.Topic, topic with { Assignments = topic.Assignments.SetItem(move.Partition, assignment) });
                        applied++;
                    }
                }

                return applied == 0 ? (null, 0) : (current with { Topics = topics }, applied);
            },
            _ => 0,
            cancellationToken);
    }
}
