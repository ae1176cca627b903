using Runnel.Grains.Groups;
using Runnel.Grains.Tiering;
using Runnel.Grains.Topics;
using Runnel.Grains.Transactions;

namespace Runnel.Silo.Hosting;

/// <summary>
/// The broker's start order, on Orleans' silo lifecycle: the topic metadata is restored (from the blob store, into
/// an empty data folder) and opened before the runtime can activate a grain, and the committed offsets are loaded
/// once the silo is active and grains can be called. The Kafka listener starts after the silo, so the first
/// request already sees every topic.
/// </summary>
internal sealed class BrokerStartup : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly MetadataMirror _mirror;
    private readonly TopicService _topics;
    private readonly OffsetStore _offsets;
    private readonly TransactionStore _transactions;

    public BrokerStartup(MetadataMirror mirror, TopicService topics, OffsetStore offsets, TransactionStore transactions)
    {
        _mirror = mirror;
        _topics = topics;
        _offsets = offsets;
        _transactions = transactions;
    }

    public void Participate(ISiloLifecycle lifecycle)
    {
        lifecycle.Subscribe(nameof(BrokerStartup) + ".Metadata", ServiceLifecycleStage.RuntimeInitialize, OpenMetadataAsync);
        // After Active: in a cluster the broker registers itself at Active, and which offsets partitions this silo
        // loads depends on the leaders the metadata names.
        lifecycle.Subscribe(nameof(BrokerStartup) + ".Offsets", ServiceLifecycleStage.Active + 1, _offsets.LoadAsync);
        // After the offsets: finishing a transaction a stop interrupted may commit offsets to groups.
        lifecycle.Subscribe(nameof(BrokerStartup) + ".Transactions", ServiceLifecycleStage.Active + 2, _transactions.LoadAsync);
    }

    private async Task OpenMetadataAsync(CancellationToken cancellationToken)
    {
        await _mirror.RestoreIfMissingAsync(cancellationToken).ConfigureAwait(false);
        await _topics.OpenAsync(cancellationToken).ConfigureAwait(false);
    }
}
