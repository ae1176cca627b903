namespace Runnel.Client.Consumer.Groups;

/// <summary>
/// Kafka's <c>range</c> assignor: per topic, the members subscribed to it in member-id order get consecutive
/// ranges; the first <c>partitions % members</c> of them get one extra.
/// </summary>
public sealed class RangeAssignor : IPartitionAssignor
{
    public string Name => "range";

    public RebalanceProtocol Protocol => RebalanceProtocol.Eager;

    public IReadOnlyDictionary<string, List<TopicPartition>> Assign(IReadOnlyList<MemberSubscription> members, IReadOnlyDictionary<string, int> partitionCounts)
    {
        var result = new Dictionary<string, List<TopicPartition>>(StringComparer.Ordinal);
        foreach (MemberSubscription member in members)
        {
            result[member.MemberId] = [];
        }

        foreach (var (topic, count) in partitionCounts.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            List<string> subscribers = members.Where(m => m.Topics.Contains(topic)).Select(m => m.MemberId).Order(StringComparer.Ordinal).ToList();
            if (subscribers.Count == 0)
            {
                continue;
            }

            int each = count / subscribers.Count;
            int extra = count % subscribers.Count;
            int next = 0;
            for (int i = 0; i < subscribers.Count; i++)
            {
                int take = each + (i < extra ? 1 : 0);
                for (int p = next; p < next + take; p++)
                {
                    result[subscribers[i]].Add(new TopicPartition(topic, p));
                }

                next += take;
            }
        }

        return result;
    }
}
