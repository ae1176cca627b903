using Runnel.Client.Consumer.Groups;
using Runnel.Client.Network;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Client.Admin;

/// <summary>Groups: changing committed offsets and deleting groups, both only for groups without members.</summary>
public sealed partial class KafkaAdminClient
{
    /// <summary>
    /// Commits <paramref name="offsets"/> for a group from outside it (OffsetCommit with generation -1 and no member
    /// id, as Kafka's AlterConsumerGroupOffsets does). The coordinator accepts that only while the group has no
    /// members; otherwise it answers an error (UnknownMemberId or IllegalGeneration) and nothing changes.
    /// </summary>
    public async Task AlterGroupOffsetsAsync(string groupId, IEnumerable<TopicPartitionOffset> offsets, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentNullException.ThrowIfNull(offsets);
        var request = new OffsetCommitRequest { GroupId = groupId, GenerationIdOrMemberEpoch = -1, MemberId = string.Empty, RetentionTimeMs = -1 };
        OffsetCommitRequests.AddOffsets(request, offsets);

        if (request.Topics.Count == 0)
        {
            return;
        }

        await new GroupCoordinator(_cluster, groupId).RunAsync("OffsetCommit", async (connection, ct) =>
        {
            OffsetCommitResponse response = await connection.SendAsync<OffsetCommitResponse>(ApiKey.OffsetCommit, request, ct).ConfigureAwait(false);
            ThrowErrors(response.Topics.SelectMany(t => t.Partitions.Select(p =>
                (p.ErrorCode, $"Committing offsets of {t.Name}[{p.PartitionIndex}] for group '{groupId}'", (string?)null))));
            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes groups and their committed offsets (DeleteGroups, at each group's coordinator); a group with members fails with NonEmptyGroup.</summary>
    public async Task DeleteGroupsAsync(IEnumerable<string> groupIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groupIds);
        var errors = new List<(short, string, string?)>();
        foreach (string groupId in groupIds)
        {
            var request = new DeleteGroupsRequest();
            request.GroupsNames.Add(groupId);
            DeleteGroupsResponse response = await new GroupCoordinator(_cluster, groupId).RunAsync("DeleteGroups", async (connection, ct) =>
            {
                DeleteGroupsResponse r = await connection.SendAsync<DeleteGroupsResponse>(ApiKey.DeleteGroups, request, ct).ConfigureAwait(false);
                foreach (DeleteGroupsResponse.DeletableGroupResult result in r.Results)
                {
                    // Coordinator moves are retried by RunAsync; every other error is the group's answer.
                    if (KafkaErrors.NeedsCoordinatorRediscovery((ErrorCode)result.ErrorCode) || result.ErrorCode == (short)ErrorCode.CoordinatorLoadInProgress)
                    {
                        KafkaErrors.ThrowIfError(result.ErrorCode, $"DeleteGroups '{groupId}'");
                    }
                }

                return r;
            }, cancellationToken).ConfigureAwait(false);
            errors.AddRange(response.Results.Select(r => (r.ErrorCode, $"Deleting group '{r.GroupId}'", (string?)null)));
        }

        ThrowErrors(errors);
    }

    /// <summary>The cluster id, the controller and every broker, from a fresh Metadata answer (served by every Kafka broker).</summary>
    public async Task<ClusterDescription> DescribeClusterAsync(CancellationToken cancellationToken = default)
    {
        ClusterMetadata metadata = await _cluster.RetryAsync("Metadata", ct => _cluster.RefreshAsync([], false, ct), cancellationToken).ConfigureAwait(false);
        return new ClusterDescription(metadata.ClusterId, metadata.ControllerId,
            [.. metadata.Brokers.Values.OrderBy(b => b.NodeId).Select(b => new BrokerDescription(b.NodeId, b.Host, b.Port))]);
    }
}
