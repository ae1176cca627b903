using System.CommandLine;
using Runnel.Cli.Output;
using Runnel.Client;
using Runnel.Client.Admin;

namespace Runnel.Cli.Commands;

/// <summary><c>runnel group list|describe|delete</c>, and seek (<see cref="GroupSeekCommand"/>).</summary>
internal static class GroupCommands
{
    public static Argument<string> IdArgument() => new("group") { Description = "The group id" };

    public static Command Create()
    {
        var group = new Command("group", "Consumer groups: list, describe (members, offsets, lag), seek, delete");
        group.Subcommands.Add(new Command("list", "Every group with its state").WithAction(ListAsync));
        Argument<string> described = IdArgument();
        var describe = new Command("describe", "A group's members and assignments, and per partition its committed offset, end offset and lag") { described };
        group.Subcommands.Add(describe.WithAction((context, parsed) => DescribeAsync(context, parsed.GetValue(described)!)));
        group.Subcommands.Add(GroupSeekCommand.Create());
        var ids = new Argument<string[]>("groups") { Description = "Groups to delete", Arity = ArgumentArity.OneOrMore };
        var delete = new Command("delete", "Deletes groups without members, with their committed offsets") { ids };
        group.Subcommands.Add(delete.WithAction(async (context, parsed) =>
        {
            string[] groups = parsed.GetValue(ids)!;
            await using KafkaAdminClient admin = context.Admin();
            await admin.DeleteGroupsAsync(groups, context.CancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                Printer.Json(new { deleted = groups });
            }
            else
            {
                Printer.Line($"deleted {string.Join(", ", groups)}");
            }
        }));
        return group;
    }

    private static async Task ListAsync(CliContext context, ParseResult parsed)
    {
        await using KafkaAdminClient admin = context.Admin();
        var groups = (await admin.ListGroupsAsync(context.CancellationToken).ConfigureAwait(false)).OrderBy(g => g.GroupId, StringComparer.Ordinal).ToList();
        if (context.Json)
        {
            Printer.Json(groups.Select(g => new { groupId = g.GroupId, state = g.State, protocolType = g.ProtocolType }));
            return;
        }

        Printer.Table(null, ["group", "state", "protocol type"], groups.Select(g => (IReadOnlyList<object?>)[g.GroupId, g.State, g.ProtocolType]));
    }

    private static async Task DescribeAsync(CliContext context, string groupId)
    {
        await using KafkaAdminClient admin = context.Admin();
        GroupDescription group = await admin.DescribeGroupAsync(groupId, context.CancellationToken).ConfigureAwait(false);
        IReadOnlyDictionary<TopicPartition, long> committed = await admin.ListGroupOffsetsAsync(groupId, context.CancellationToken).ConfigureAwait(false);

        // Every partition the group commits to or is assigned, so a new member's partitions show before its first commit.
        var partitions = committed.Keys.Concat(group.Members.SelectMany(m => m.Assignment)).Distinct()
            .OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).ToList();
        IReadOnlyDictionary<TopicPartition, long> ends = partitions.Count == 0
            ? new Dictionary<TopicPartition, long>()
            : await admin.ListOffsetsAsync(partitions, Offsets.End, context.CancellationToken).ConfigureAwait(false);
        var owners = group.Members.SelectMany(m => m.Assignment.Select(p => (p, m.MemberId))).ToDictionary(x => x.p, x => x.MemberId);
        var offsets = partitions.Select(p =>
        {
            long offset = committed.GetValueOrDefault(p, -1);
            long end = ends.GetValueOrDefault(p, -1);
            long? lag = end < 0 ? null : new PartitionLag(p, offset, end).Lag;
            return new { topic = p.Topic, partition = p.Partition, committedOffset = offset, endOffset = end, lag, memberId = owners.GetValueOrDefault(p) };
        }).ToList();
        var members = group.Members.Select(m => new
        {
            memberId = m.MemberId,
            clientId = m.ClientId,
            clientHost = m.ClientHost,
            assignment = m.Assignment.Select(p => new { topic = p.Topic, partition = p.Partition }).ToList(),
        }).ToList();
        if (context.Json)
        {
            Printer.Json(new { groupId = group.GroupId, state = group.State, protocolType = group.ProtocolType, protocol = group.Protocol, members, offsets, totalLag = offsets.Sum(o => o.lag ?? 0) });
            return;
        }

        Printer.Properties([("group", group.GroupId), ("state", group.State), ("protocol", $"{group.ProtocolType} {group.Protocol}".Trim()), ("members", members.Count), ("total lag", offsets.Sum(o => o.lag ?? 0))]);
        Printer.Table("members", ["member id", "client id", "host", "assignment"],
            members.Select(m => (IReadOnlyList<object?>)[m.memberId, m.clientId, m.clientHost, string.Join(", ", m.assignment.Select(a => $"{a.topic}[{a.partition}]"))]));
        Printer.Table("offsets", ["topic", "partition", "committed", "end", "lag", "member"],
            offsets.Select(o => (IReadOnlyList<object?>)[o.topic, o.partition, o.committedOffset < 0 ? "-" : o.committedOffset, o.endOffset, o.lag, o.memberId]));
    }
}
