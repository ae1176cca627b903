using System.Collections.Concurrent;

namespace Runnel.Grains.Groups;

/// <summary>What ListGroups and GET /groups show of a group without activating its grain; also what a group grain
/// takes over from its previous activation (generation, protocol type, since when it is empty).</summary>
public sealed record GroupListing(string GroupId, GroupState State, string ProtocolType, int MemberCount, int GenerationId, long EmptySinceMs);

/// <summary>
/// The groups this silo coordinates: every group grain publishes its state here on each change, and groups known
/// only from committed offsets are listed as Empty. Read from any thread.
/// </summary>
public sealed class GroupDirectory
{
    private readonly ConcurrentDictionary<string, GroupListing> _groups = new(StringComparer.Ordinal);
    private readonly OffsetStore _offsets;

    public GroupDirectory(OffsetStore offsets) => _offsets = offsets;

    public bool Contains(string groupId) => _groups.ContainsKey(groupId) || _offsets.HasOffsets(groupId);

    public bool TryGet(string groupId, out GroupListing listing)
    {
        if (_groups.TryGetValue(groupId, out GroupListing? found))
        {
            listing = found;
            return true;
        }

        listing = new GroupListing(groupId, GroupState.Empty, string.Empty, 0, 0, 0);
        return _offsets.HasOffsets(groupId);
    }

    /// <summary>Every group, ordered by id.</summary>
    public IReadOnlyList<GroupListing> List()
    {
        var all = new Dictionary<string, GroupListing>(_groups, StringComparer.Ordinal);
        foreach (string group in _offsets.Groups)
        {
            all.TryAdd(group, new GroupListing(group, GroupState.Empty, string.Empty, 0, 0, 0));
        }

        return all.Values.OrderBy(g => g.GroupId, StringComparer.Ordinal).ToList();
    }

    internal void Publish(GroupListing listing) => _groups[listing.GroupId] = listing;

    internal void Remove(string groupId) => _groups.TryRemove(groupId, out _);
}
