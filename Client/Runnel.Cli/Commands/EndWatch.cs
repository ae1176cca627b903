using System.Collections.Concurrent;
using Runnel.Client;
using Runnel.Client.Admin;
using Runnel.Client.Consumer;

namespace Runnel.Cli.Commands;

/// <summary>
/// Ends a consume without --follow: each assigned partition's end offset is taken when it is first seen (records
/// produced later are not waited for), and once every partition's consumed position has reached its end, the
/// consume is cancelled. Works for assigned partitions and for a group's assignment alike; a group member that gets
/// no partition within the timeout (other members own them all) fails rather than wait forever.
/// </summary>
internal sealed class EndWatch(KafkaAdminClient admin, KafkaConsumer<byte[]?, byte[]?> consumer, TimeSpan assignmentTimeout)
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(100);
    private readonly ConcurrentDictionary<TopicPartition, long> _ends = new();

    public async Task CancelAtEndAsync(CancellationTokenSource stop)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(s_interval, stop.Token).ConfigureAwait(false);
                IReadOnlyList<TopicPartition> assigned = consumer.Assignment;
                if (assigned.Count == 0)
                {
                    if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > assignmentTimeout)
                    {
                        await stop.CancelAsync().ConfigureAwait(false);
                        throw new CliException(ExitCodes.KafkaError, "NO_ASSIGNMENT", $"No partition was assigned to this consumer within {assignmentTimeout.TotalSeconds:0.#} s.",
                            "other members of the group may own every partition ('runnel group describe' lists them)");
                    }

                    continue;
                }

                List<TopicPartition> unknown = [.. assigned.Where(p => !_ends.ContainsKey(p))];
                if (unknown.Count > 0)
                {
                    foreach (var (partition, end) in await admin.ListOffsetsAsync(unknown, Offsets.End, stop.Token).ConfigureAwait(false))
                    {
                        _ends[partition] = end;
                    }
                }

                if (assigned.All(p => consumer.Position(p) is { } position && _ends.TryGetValue(p, out long end) && position >= end))
                {
                    await stop.CancelAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
