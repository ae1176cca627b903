namespace Runnel.Client.Consumer.Groups;

/// <summary>
/// Kafka's <c>cooperative-sticky</c> assignor (KIP-429), simplified: a balanced assignment that keeps as many of
/// each member's owned partitions as balance allows; partitions that must move are withheld from their new owner
/// in this round, so the old owner gives them up first and a follow-up rebalance hands them over.
/// </summary>
public sealed class CooperativeStickyAssignor : IPartitionAssignor
{
    public string Name => "cooperative-sticky";

    public RebalanceProtocol Protocol => RebalanceProtocol.Cooperative;

    public IReadOnlyDictionary<string, List<TopicPartition>> Assign(IReadOnlyList<MemberSubscription> members, IReadOnlyDictionary<string, int> partitionCounts)
    {
        List<MemberSubscription> ordered = [.. members.OrderBy(m => m.MemberId, StringComparer.Ordinal)];
        var target = new Dictionary<string, List<TopicPartition>>(StringComparer.Ordinal);
        var previousOwner = new Dictionary<TopicPartition, string>();
        var all = new List<TopicPartition>();
        foreach (var (topic, count) in partitionCounts.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (ordered.Exists(m => m.Topics.Contains(topic)))
            {
                for (int p = 0; p < count; p++)
                {
                    all.Add(new TopicPartition(topic, p));
                }
            }
        }

        int quota = ordered.Count == 0 ? 0 : all.Count / ordered.Count;
        int extra = ordered.Count == 0 ? 0 : all.Count % ordered.Count;
        var valid = new HashSet<TopicPartition>(all);

        // Keep owned partitions, most-owning members first so they get the "+1" slots.
        foreach (MemberSubscription member in ordered.OrderByDescending(m => m.OwnedPartitions.Count))
        {
            var kept = new List<TopicPartition>();
            foreach (TopicPartition owned in member.OwnedPartitions)
            {
                if (valid.Contains(owned) && member.Topics.Contains(owned.Topic) && previousOwner.TryAdd(owned, member.MemberId))
                {
                    int cap = quota + (extra > 0 ? 1 : 0);
                    if (kept.Count < cap)
                    {
                        kept.Add(owned);
                    }
                }
            }

            if (kept.Count > quota)
            {
                extra--;
            }

            target[member.MemberId] = kept;
        }

        var taken = new HashSet<TopicPartition>(target.Values.SelectMany(v => v));
        foreach (TopicPartition partition in all)
        {
            if (taken.Contains(partition))
            {
                continue;
            }

            MemberSubscription? best = null;
            foreach (MemberSubscription member in ordered)
            {
                if (member.Topics.Contains(partition.Topic) && (best is null || target[member.MemberId].Count < target[best.MemberId].Count))
                {
                    best = member;
                }
            }

            if (best is not null)
            {
                target[best.MemberId].Add(partition);
            }
        }

        // Cooperative: a partition still owned by another member is not handed over in this round.
        foreach (var (memberId, partitions) in target)
        {
            partitions.RemoveAll(p => previousOwner.TryGetValue(p, out string? owner) && owner != memberId);
        }

        return target;
    }
}
