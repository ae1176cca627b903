using Runnel.Grains.Cluster;
using Runnel.Grains;
using Runnel.Grains.Groups;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers.Groups;

/// <summary>DescribeGroups: state, protocol and members; an unknown group is "Dead" without error, as in Kafka.</summary>
public sealed class DescribeGroupsHandler : KafkaApiHandler<DescribeGroupsRequest, DescribeGroupsResponse>
{
    private readonly IGrainFactory _grains;
    private readonly GroupDirectory _directory;
    private readonly OffsetStore _offsets;
    private readonly ClusterView _cluster;

    public DescribeGroupsHandler(IGrainFactory grains, GroupDirectory directory, OffsetStore offsets, ClusterView cluster)
    {
        _cluster = cluster;
        _grains = grains;
        _directory = directory;
        _offsets = offsets;
    }

    public override ApiKey Key => ApiKey.DescribeGroups;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    protected override async ValueTask<DescribeGroupsResponse?> HandleAsync(RequestContext context, DescribeGroupsRequest request, CancellationToken cancellationToken)
    {
        await _offsets.WhenLoaded.WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = new DescribeGroupsResponse();
        foreach (string groupId in request.Groups)
        {
            var described = new DescribeGroupsResponse.DescribedGroup
            {
                GroupId = groupId,
                GroupState = GroupState.Dead.Name(),
                AuthorizedOperations = Handlers.AuthorizedOperations.When(request.IncludeAuthorizedOperations, Handlers.AuthorizedOperations.Group),
            };
            response.Groups.Add(described);
            if (groupId.Length == 0)
            {
                described.ErrorCode = (short)ErrorCode.InvalidGroupId;
                continue;
            }

            if (!_cluster.CoordinatesLocally(groupId))
            {
                described.ErrorCode = (short)ErrorCode.NotCoordinator;
                continue;
            }

            // Unknown ids are answered without activating a grain for them.
            await _offsets.EnsureLoadedAsync(_cluster.OffsetsPartitionOf(groupId), cancellationToken).ConfigureAwait(false);
            if (!_directory.Contains(groupId))
            {
                continue;
            }

            GroupDescription group = await _grains.GetGrain<IGroupGrain>(groupId).DescribeAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            described.GroupState = group.State;
            described.ProtocolType = group.ProtocolType;
            described.ProtocolData = group.ProtocolName;
            foreach (GroupMemberDescription member in group.Members)
            {
                described.Members.Add(new()
                {
                    MemberId = member.MemberId,
                    GroupInstanceId = member.GroupInstanceId,
                    ClientId = member.ClientId,
                    ClientHost = member.ClientHost,
                    MemberMetadata = member.Metadata,
                    MemberAssignment = member.Assignment,
                });
            }
        }

        return response;
    }

    protected override ErrorCode FirstError(DescribeGroupsResponse response)
        => (ErrorCode)(response.Groups.FirstOrDefault(g => g.ErrorCode != 0)?.ErrorCode ?? 0);
}
