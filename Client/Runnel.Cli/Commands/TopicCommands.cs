using System.CommandLine;
using Runnel.Cli.Output;
using Runnel.Client;
using Runnel.Client.Admin;

namespace Runnel.Cli.Commands;

/// <summary><c>runnel topic create|list|describe|delete</c>; the commands that change a topic are in <see cref="TopicChangeCommands"/>.</summary>
internal static class TopicCommands
{
    public static Argument<string> NameArgument() => new("topic") { Description = "The topic's name" };

    public static Command Create()
    {
        var topic = new Command("topic", "Topics: create, list, describe, alter-config, add-partitions, delete, trim");
        topic.Subcommands.Add(CreateCommand());
        topic.Subcommands.Add(new Command("list", "Every topic with its partition count").WithAction(ListAsync));
        Argument<string> described = NameArgument();
        var describe = new Command("describe", "A topic's partitions (leader, start and end offsets) and configs") { described };
        topic.Subcommands.Add(describe.WithAction((context, parsed) => DescribeAsync(context, parsed.GetValue(described)!)));
        topic.Subcommands.Add(TopicChangeCommands.AlterConfig());
        topic.Subcommands.Add(TopicChangeCommands.AddPartitions());
        var names = new Argument<string[]>("topics") { Description = "Topics to delete", Arity = ArgumentArity.OneOrMore };
        var delete = new Command("delete", "Deletes topics and all their records");
        delete.Arguments.Add(names);
        topic.Subcommands.Add(delete.WithAction(async (context, parsed) =>
        {
            string[] topics = parsed.GetValue(names)!;
            await using KafkaAdminClient admin = context.Admin();
            await admin.DeleteTopicsAsync(topics, context.CancellationToken).ConfigureAwait(false);
            Done(context, "deleted", topics);
        }));
        topic.Subcommands.Add(TopicChangeCommands.Trim());
        return topic;
    }

    /// <summary>The one-line result of a change: "created orders" or {"created":["orders"]}.</summary>
    public static void Done(CliContext context, string verb, IReadOnlyList<string> topics)
    {
        if (context.Json)
        {
            Printer.Json(new Dictionary<string, IReadOnlyList<string>> { [verb] = topics });
        }
        else
        {
            Printer.Line($"{verb} {string.Join(", ", topics)}");
        }
    }

    private static Command CreateCommand()
    {
        Option<int> partitions = CliOptions.Int("--partitions", "Number of partitions", 1, 1, 100_000);
        Option<int> replication = CliOptions.Int("--replication-factor", "Replicas per partition (-1: the broker's default)", -1, -1, short.MaxValue);
        Option<List<KeyValuePair<string, string>>> configs = CliOptions.KeyValues("--config", "A topic config, repeatable: --config retention.ms=3600000");
        Argument<string> nameArgument = NameArgument();
        var create = new Command("create", "Creates a topic") { nameArgument, partitions, replication, configs };
        partitions.Aliases.Add("-p");
        return create.WithAction(async (context, parsed) =>
        {
            string name = parsed.GetValue(nameArgument)!;
            var spec = new TopicSpecification(name, parsed.GetValue(partitions), (short)parsed.GetValue(replication))
            {
                Configs = parsed.GetValue(configs)!.ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal),
            };
            await using KafkaAdminClient admin = context.Admin();
            await admin.CreateTopicsAsync([spec], context.CancellationToken).ConfigureAwait(false);
            Done(context, "created", [name]);
        });
    }

    private static async Task ListAsync(CliContext context, ParseResult parsed)
    {
        await using KafkaAdminClient admin = context.Admin();
        var topics = (await admin.DescribeTopicsAsync(null, context.CancellationToken).ConfigureAwait(false)).OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        if (context.Json)
        {
            Printer.Json(topics.Select(t => new { name = t.Name, partitions = t.Partitions.Count, topicId = t.TopicId }));
            return;
        }

        Printer.Table(null, ["topic", "partitions", "topic id"], topics.Select(t => (IReadOnlyList<object?>)[t.Name, t.Partitions.Count, t.TopicId]));
    }

    private static async Task DescribeAsync(CliContext context, string name)
    {
        await using KafkaAdminClient admin = context.Admin();
        TopicDescription topic = (await admin.DescribeTopicsAsync([name], context.CancellationToken).ConfigureAwait(false))[0];
        var partitions = topic.Partitions.Select(p => new TopicPartition(name, p.Partition)).ToList();
        IReadOnlyDictionary<TopicPartition, long> starts = await admin.ListOffsetsAsync(partitions, Offsets.Beginning, context.CancellationToken).ConfigureAwait(false);
        IReadOnlyDictionary<TopicPartition, long> ends = await admin.ListOffsetsAsync(partitions, Offsets.End, context.CancellationToken).ConfigureAwait(false);
        IReadOnlyDictionary<string, ConfigEntry> configs = await admin.DescribeTopicConfigsAsync(name, context.CancellationToken).ConfigureAwait(false);
        var rows = topic.Partitions.Select(p =>
        {
            var tp = new TopicPartition(name, p.Partition);
            long start = starts.GetValueOrDefault(tp, -1);
            long end = ends.GetValueOrDefault(tp, -1);
            return new { partition = p.Partition, leader = p.Leader, leaderEpoch = p.LeaderEpoch, startOffset = start, endOffset = end, records = Math.Max(0, end - start) };
        }).ToList();
        if (context.Json)
        {
            Printer.Json(new
            {
                name,
                topicId = topic.TopicId,
                partitions = rows,
                configs = configs.Values.OrderBy(c => c.Name, StringComparer.Ordinal).ToDictionary(c => c.Name, c => new { value = c.IsSensitive ? null : c.Value, isDefault = c.IsDefault, isReadOnly = c.IsReadOnly }),
            });
            return;
        }

        Printer.Properties([("topic", name), ("topic id", topic.TopicId), ("partitions", rows.Count), ("records", rows.Sum(r => r.records))]);
        Printer.Table("partitions", ["partition", "leader", "leader epoch", "start offset", "end offset", "records"],
            rows.Select(r => (IReadOnlyList<object?>)[r.partition, r.leader, r.leaderEpoch, r.startOffset, r.endOffset, r.records]));
        Printer.Table("configs set on the topic", ["config", "value"],
            configs.Values.Where(c => !c.IsDefault).OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => (IReadOnlyList<object?>)[c.Name, c.IsSensitive ? "(sensitive)" : c.Value]));
    }
}
