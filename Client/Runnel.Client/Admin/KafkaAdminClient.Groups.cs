using Runnel.Client.Consumer.Groups;
using Runnel.Client.Network;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Client.Admin;

/// <summary>Groups: list, describe, committed offsets and lag.</summary>
public sealed partial class KafkaAdminClient
{
    /// <summary>Every group of every broker (ListGroups).</summary>
    public async Task<IReadOnlyList<GroupListing>> ListGroupsAsync(CancellationToken cancellationToken = default)
    {
        ClusterMetadata metadata = await _cluster.RetryAsync("Metadata", ct => _cluster.RefreshAsync([], false, ct), cancellationToken).ConfigureAwait(false);
        var result = new List<GroupListing>();
        foreach (int broker in metadata.Brokers.Keys)
        {
            ListGroupsResponse response = await _cluster.RetryAsync("ListGroups", async ct =>
            {
                BrokerConnection connection = await _cluster.GetConnectionAsync(broker, ct).ConfigureAwait(false);
                ListGroupsResponse r = await connection.SendAsync<ListGroupsResponse>(ApiKey.ListGroups, new ListGroupsRequest(), ct).ConfigureAwait(false);
                KafkaErrors.ThrowIfError(r.ErrorCode, "ListGroups");
                return r;
            }, cancellationToken).ConfigureAwait(false);
            result.AddRange(response.Groups.Select(g => new GroupListing(g.GroupId, g.ProtocolType, g.GroupState)));
        }

        return result;
    }

    /// <summary>A group's state, protocol and members with their (decoded) assignments.</summary>
    public async Task<GroupDescription> DescribeGroupAsync(string groupId, CancellationToken cancellationToken = default)
    {
        var coordinator = new GroupCoordinator(_cluster, groupId);
        DescribeGroupsResponse response = await coordinator.RunAsync("DescribeGroups", async (connection, ct) =>
        {
            var request = new DescribeGroupsRequest();
            request.Groups.Add(groupId);
            DescribeGroupsResponse r = await connection.SendAsync<DescribeGroupsResponse>(ApiKey.DescribeGroups, request, ct).ConfigureAwait(false);
            foreach (DescribeGroupsResponse.DescribedGroup g in r.Groups)
            {
                KafkaErrors.ThrowIfError(g.ErrorCode, $"DescribeGroups '{groupId}'");
            }

            return r;
        }, cancellationToken).ConfigureAwait(false);

        DescribeGroupsResponse.DescribedGroup group = response.Groups.Count > 0 ? response.Groups[0] : throw new KafkaException(ErrorCode.GroupIdNotFound, $"Group '{groupId}' was not described.");
        var members = new List<GroupMemberDescription>();
        foreach (DescribeGroupsResponse.DescribedGroup.DescribedGroupMember m in group.Members)
        {
            List<TopicPartition> assignment = group.ProtocolType == "consumer" && m.MemberAssignment.Length > 0
                ? ConsumerProtocol.DecodeAssignment(m.MemberAssignment)
                : [];
            members.Add(new GroupMemberDescription(m.MemberId, m.ClientId, m.ClientHost, assignment));
        }

        return new GroupDescription(group.GroupId, group.GroupState, group.ProtocolType, group.ProtocolData, members);
    }

    /// <summary>A group's committed offsets (every partition it committed).</summary>
    public async Task<IReadOnlyDictionary<TopicPartition, long>> ListGroupOffsetsAsync(string groupId, CancellationToken cancellationToken = default) =>
        await OffsetFetcher.FetchAsync(new GroupCoordinator(_cluster, groupId), null, cancellationToken).ConfigureAwait(false);

    /// <summary>Lag per partition the group committed: end offset minus committed offset.</summary>
    public async Task<IReadOnlyList<PartitionLag>> GetGroupLagAsync(string groupId, CancellationToken cancellationToken = default)
    {
        IReadOnlyDictionary<TopicPartition, long> committed = await ListGroupOffsetsAsync(groupId, cancellationToken).ConfigureAwait(false);
        if (committed.Count == 0)
        {
            return [];
        }

        IReadOnlyDictionary<TopicPartition, long> ends = await ListOffsetsAsync(committed.Keys, Offsets.End, cancellationToken).ConfigureAwait(false);
        return [.. committed.OrderBy(c => c.Key.Topic, StringComparer.Ordinal).ThenBy(c => c.Key.Partition)
            .Select(c => new PartitionLag(c.Key, c.Value, ends.TryGetValue(c.Key, out long end) ? end : -1))];
    }
}
