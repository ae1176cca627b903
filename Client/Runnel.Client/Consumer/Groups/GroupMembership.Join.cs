using Runnel.Client.Network;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Client.Consumer.Groups;

/// <summary>JoinGroup and SyncGroup, and the leader's assignment.</summary>
internal sealed partial class GroupMembership
{
    private async Task JoinAsync(CancellationToken cancellationToken)
    {
        if (_assignor is null || _assignor.Protocol == RebalanceProtocol.Eager)
        {
            await _callbacks.RevokeAsync([.. _callbacks.Owned()], commit: true, cancellationToken).ConfigureAwait(false);
        }

        JoinGroupResponse joined = await SendJoinAsync(cancellationToken).ConfigureAwait(false);
        MemberId = joined.MemberId;
        GenerationId = joined.GenerationId;
        _assignor = FindAssignor(joined.ProtocolName);

        var sync = new SyncGroupRequest
        {
            GroupId = _coordinator.GroupId,
            GenerationId = GenerationId,
            MemberId = MemberId,
            GroupInstanceId = null,
            ProtocolType = "consumer",
            ProtocolName = _assignor.Name,
        };
        if (joined.Leader == joined.MemberId)
        {
            await AddAssignmentsAsync(sync, joined, cancellationToken).ConfigureAwait(false);
        }

        BrokerConnection connection = await _coordinator.ConnectAsync(cancellationToken).ConfigureAwait(false);
        SyncGroupResponse synced = await connection.SendAsync<SyncGroupResponse>(ApiKey.SyncGroup, sync, cancellationToken, timeout: _options.RebalanceTimeout + _options.RequestTimeout).ConfigureAwait(false);
        KafkaErrors.ThrowIfError(synced.ErrorCode, $"SyncGroup in group '{_coordinator.GroupId}'");

        List<TopicPartition> assigned = ConsumerProtocol.DecodeAssignment(synced.Assignment);
        var assignedSet = new HashSet<TopicPartition>(assigned);
        IReadOnlyCollection<TopicPartition> owned = _callbacks.Owned();
        List<TopicPartition> revoked = [.. owned.Where(p => !assignedSet.Contains(p))];
        List<TopicPartition> added = [.. assigned.Where(p => !owned.Contains(p))];
        await _callbacks.RevokeAsync(revoked, commit: true, cancellationToken).ConfigureAwait(false);
        _callbacks.Assign(added);

        // Cooperative: what we gave up goes to its new owner in a follow-up rebalance.
        _needsJoin = _assignor.Protocol == RebalanceProtocol.Cooperative && revoked.Count > 0;
        LogJoined(_cluster.Logger, _coordinator.GroupId, GenerationId, MemberId, _assignor.Name, assigned.Count, revoked.Count);
    }

    private async Task<JoinGroupResponse> SendJoinAsync(CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            IReadOnlyCollection<TopicPartition> owned = _callbacks.Owned();
            var request = new JoinGroupRequest
            {
                GroupId = _coordinator.GroupId,
                SessionTimeoutMs = (int)_options.SessionTimeout.TotalMilliseconds,
                RebalanceTimeoutMs = (int)_options.RebalanceTimeout.TotalMilliseconds,
                MemberId = MemberId,
                GroupInstanceId = null,
                ProtocolType = "consumer",
            };
            foreach (IPartitionAssignor assignor in _options.PartitionAssignors)
            {
                IReadOnlyCollection<TopicPartition> claim = assignor.Protocol == RebalanceProtocol.Cooperative ? owned : [];
                request.Protocols.Add(new JoinGroupRequest.JoinGroupRequestProtocol { Name = assignor.Name, Metadata = ConsumerProtocol.EncodeSubscription(_topics, claim) });
            }

            BrokerConnection connection = await _coordinator.ConnectAsync(cancellationToken).ConfigureAwait(false);
            JoinGroupResponse response = await connection.SendAsync<JoinGroupResponse>(ApiKey.JoinGroup, request, cancellationToken, timeout: _options.RebalanceTimeout + _options.RequestTimeout).ConfigureAwait(false);
            var error = (ErrorCode)response.ErrorCode;
            if (error == ErrorCode.MemberIdRequired && attempt < 3)
            {
                MemberId = response.MemberId; // KIP-394: join again with the id the coordinator gave us.
                continue;
            }

            if (error == ErrorCode.UnknownMemberId && attempt < 3)
            {
                MemberId = string.Empty;
                continue;
            }

            KafkaErrors.ThrowIfError(response.ErrorCode, $"JoinGroup in group '{_coordinator.GroupId}'");
            return response;
        }
    }

    private async Task AddAssignmentsAsync(SyncGroupRequest sync, JoinGroupResponse joined, CancellationToken cancellationToken)
    {
        var members = new List<MemberSubscription>(joined.Members.Count);
        var topics = new HashSet<string>(StringComparer.Ordinal);
        foreach (JoinGroupResponse.JoinGroupResponseMember member in joined.Members)
        {
            MemberSubscription subscription = ConsumerProtocol.DecodeSubscription(member.MemberId, member.Metadata);
            members.Add(subscription);
            topics.UnionWith(subscription.Topics);
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string topic in topics)
        {
            try
            {
                TopicInfo info = await _cluster.GetTopicAsync(topic, allowAutoCreate: false, cancellationToken).ConfigureAwait(false);
                counts[topic] = info.Partitions.Length;
            }
            catch (KafkaException e) when (e.ErrorCode == ErrorCode.UnknownTopicOrPartition)
            {
                // A subscribed topic that does not exist gets no partitions.
            }
        }

        foreach (var (memberId, partitions) in _assignor!.Assign(members, counts))
        {
            sync.Assignments.Add(new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = memberId, Assignment = ConsumerProtocol.EncodeAssignment(partitions) });
        }
    }

    private IPartitionAssignor FindAssignor(string? name)
    {
        foreach (IPartitionAssignor assignor in _options.PartitionAssignors)
        {
            if (assignor.Name == name)
            {
                return assignor;
            }
        }

        throw new KafkaException(ErrorCode.InconsistentGroupProtocol, $"The group chose protocol '{name}', which this consumer did not offer.");
    }
}
