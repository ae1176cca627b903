using Runnel.Grains.Groups;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers.Groups;

/// <summary>ListGroups: every group of this coordinator, filtered by state (v4+) and type (v5+; all are "classic").</summary>
public sealed class ListGroupsHandler : KafkaApiHandler<ListGroupsRequest, ListGroupsResponse>
{
    private const string ClassicGroupType = "classic";

    private readonly GroupDirectory _directory;
    private readonly OffsetStore _offsets;

    public ListGroupsHandler(GroupDirectory directory, OffsetStore offsets)
    {
        _directory = directory;
        _offsets = offsets;
    }

    public override ApiKey Key => ApiKey.ListGroups;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    protected override async ValueTask<ListGroupsResponse?> HandleAsync(RequestContext context, ListGroupsRequest request, CancellationToken cancellationToken)
    {
        await _offsets.WhenLoaded.WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = new ListGroupsResponse();
        bool typeMatches = request.TypesFilter.Count == 0 || request.TypesFilter.Contains(ClassicGroupType, StringComparer.OrdinalIgnoreCase);
        if (!typeMatches)
        {
            return response;
        }

        foreach (GroupListing group in _directory.List())
        {
            string state = group.State.Name();
            if (request.StatesFilter.Count > 0 && !request.StatesFilter.Contains(state, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            response.Groups.Add(new() { GroupId = group.GroupId, ProtocolType = group.ProtocolType, GroupState = state, GroupType = ClassicGroupType });
        }

        return response;
    }

    protected override ErrorCode FirstError(ListGroupsResponse response) => (ErrorCode)response.ErrorCode;
}
