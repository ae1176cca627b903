using Runnel.Grains.Metadata;

namespace Runnel.Grains.Transactions;

/// <summary>
/// In a cluster the partitions of `__transaction_state` move between silos with their leaders: a silo that starts
/// leading one replays it and finishes the transactions its previous leader left open (their timeouts need an active
/// coordinator); a silo that stops leading one forgets its transactional ids, so a later return replays it afresh.
/// </summary>
public sealed partial class TransactionStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, Task<int>> _takeOvers = new();

    /// <summary>
    /// Replays <paramref name="partition"/> once and asks the coordinators of its open transactions to finish them;
    /// answers how many there were.
    /// </summary>
    public Task<int> TakeOverAsync(int partition)
    {
        Task<int> takeOver = _takeOvers.GetOrAdd(partition, p => RecoverPartitionAsync(p));
        if (takeOver.IsFaulted || takeOver.IsCanceled)
        {
            _takeOvers.TryRemove(new KeyValuePair<int, Task<int>>(partition, takeOver));
        }

        return takeOver;
    }

    /// <summary>The partition moved to another silo: drop what this view holds of it.</summary>
    public void Forget(int partition)
    {
        _takeOvers.TryRemove(partition, out _);
        if (!_partitionLoads.TryRemove(partition, out _) || !_topics.TryGetTopic(TransactionStateTopic.Name, out TopicMetadata? topic))
        {
            return;
        }

        foreach (string id in _transactions.Keys)
        {
            if (TransactionStateTopic.PartitionFor(id, topic.PartitionCount) == partition)
            {
                _transactions.TryRemove(id, out _);
            }
        }
    }

    private async Task<int> RecoverPartitionAsync(int partition)
    {
        await EnsureLoadedCoreAsync(partition).ConfigureAwait(false);
        if (!_topics.TryGetTopic(TransactionStateTopic.Name, out TopicMetadata? topic))
        {
            return 0;
        }

        var open = new List<Task>();
        foreach ((string id, TransactionMetadata metadata) in _transactions)
        {
            if (metadata.IsOpen && TransactionStateTopic.PartitionFor(id, topic.PartitionCount) == partition)
            {
                open.Add(_grains.GetGrain<ITransactionCoordinatorGrain>(id).RecoverAsync());
            }
        }

        await Task.WhenAll(open).ConfigureAwait(false);
        return open.Count;
    }
}
