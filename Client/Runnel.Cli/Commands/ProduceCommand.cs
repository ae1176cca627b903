using System.CommandLine;
using System.Text;
using Runnel.Cli.Output;
using Runnel.Cli.Records;
using Runnel.Client;
using Runnel.Client.Admin;
using Runnel.Client.Producer;

namespace Runnel.Cli.Commands;

/// <summary>
/// <c>runnel produce</c>: one record per input line (stdin or --file). With --key-separator the text before the
/// first separator is the key; a line without it has no key. Lines are bytes, never decoded (see <see cref="ByteLineReader"/>).
/// Every record is acknowledged before the tool exits 0.
/// </summary>
internal static class ProduceCommand
{
    // Enough in flight to keep batches full; bounded so a huge file never holds every pending record at once.
    private const int MaxPending = 10_000;

    public static Command Create()
    {
        Argument<string> topic = TopicCommands.NameArgument();
        var file = new Option<FileInfo>("--file", "-f") { Description = "Read records from this file instead of stdin" };
        file.AcceptExistingOnly();
        var keySeparator = new Option<string?>("--key-separator", "-K") { Description = "Text between key and value on each line (default: no key)" };
        Option<List<KeyValuePair<string, string>>> headers = CliOptions.KeyValues("--header", "A header for every record, repeatable: --header source=cli");
        headers.Aliases.Add("-H");
        Option<int> partition = CliOptions.Int("--partition", "Write every record to this partition (default: by key, or sticky for no key)", -1, 0);
        partition.Aliases.Add("-p");
        Option<string> compression = CliOptions.Choice("--compression", "Batch compression", "none", "none", "gzip", "snappy", "lz4", "zstd");
        Option<string> acks = CliOptions.Choice("--acks", "Acknowledgement: all (-1, with idempotence), 1 (leader) or 0 (none)", "all", "all", "-1", "1", "0");
        var command = new Command("produce", "Writes one record per line from stdin or a file") { topic, file, keySeparator, headers, partition, compression, acks };
        return command.WithAction(async (context, parsed) =>
        {
            string name = parsed.GetValue(topic)!;
            string? separator = parsed.GetValue(keySeparator);
            if (separator is { Length: 0 })
            {
                throw CliException.Usage("--key-separator must not be empty.");
            }

            int fixedPartition = parsed.GetValue(partition);
            if (fixedPartition >= 0)
            {
                await CheckPartitionAsync(context, name, fixedPartition).ConfigureAwait(false);
            }

            ProducerOptions options = context.ProducerOptions();
            options.Compression = Enum.Parse<CompressionType>(parsed.GetValue(compression)!, ignoreCase: true);
            options.Acks = parsed.GetValue(acks) switch { "1" => Acks.Leader, "0" => Acks.None, _ => Acks.All };
            options.EnableIdempotence = options.Acks == Acks.All;
            options.DeliveryTimeout = context.Timeout;
            Header[] recordHeaders = [.. parsed.GetValue(headers)!.Select(h => Header.Utf8(h.Key, h.Value))];
            FileInfo? input = parsed.GetValue(file);
            await using Stream stream = input is null ? Console.OpenStandardInput() : input.OpenRead();
            await using var reader = new ByteLineReader(stream);
            byte[]? separatorBytes = separator is null ? null : Encoding.UTF8.GetBytes(separator);
            var sent = new ProduceTally();
            await using (var producer = new KafkaProducer<byte[]?, byte[]?>(options))
            {
                var pending = new Queue<Task<DeliveryResult>>();
                while (await reader.ReadLineAsync(context.CancellationToken).ConfigureAwait(false) is { } line)
                {
                    (byte[]? key, byte[] value) = Split(line, separatorBytes);
                    var record = new ProducerRecord<byte[]?, byte[]?>(name, key, value) { Headers = recordHeaders, Partition = fixedPartition >= 0 ? fixedPartition : null };
                    pending.Enqueue(producer.ProduceAsync(record, context.CancellationToken).AsTask());
                    if (pending.Count >= MaxPending)
                    {
                        sent.Add(await pending.Dequeue().ConfigureAwait(false));
                    }
                }

                while (pending.Count > 0)
                {
                    sent.Add(await pending.Dequeue().ConfigureAwait(false));
                }
            }

            sent.Print(context, name);
        });
    }

    private static (byte[]? Key, byte[] Value) Split(byte[] line, byte[]? separator)
    {
        int at = separator is null ? -1 : line.AsSpan().IndexOf(separator);
        return at < 0 ? (null, line) : (line[..at], line[(at + separator!.Length)..]);
    }

    private static async Task CheckPartitionAsync(CliContext context, string topic, int partition)
    {
        await using KafkaAdminClient admin = context.Admin();
        TopicDescription description = (await admin.DescribeTopicsAsync([topic], context.CancellationToken).ConfigureAwait(false))[0];
        if (partition >= description.Partitions.Count)
        {
            throw new KafkaException(Protocol.ErrorCode.UnknownTopicOrPartition, $"{topic}[{partition}] does not exist: the topic has {description.Partitions.Count} partitions; nothing was written.");
        }
    }

    /// <summary>How many records went where, for the summary.</summary>
    private sealed class ProduceTally
    {
        private readonly SortedDictionary<int, (long First, long Last, long Count)> _partitions = [];

        public void Add(DeliveryResult result) =>
            _partitions[result.Partition] = _partitions.TryGetValue(result.Partition, out var p)
                ? (Math.Min(p.First, result.Offset), Math.Max(p.Last, result.Offset), p.Count + 1)
                : (result.Offset, result.Offset, 1);

        public void Print(CliContext context, string topic)
        {
            long total = _partitions.Values.Sum(p => p.Count);
            if (context.Json)
            {
                Printer.Json(new { topic, records = total, partitions = _partitions.Select(p => new { partition = p.Key, records = p.Value.Count, firstOffset = p.Value.First, lastOffset = p.Value.Last }) });
                return;
            }

            Console.Error.WriteLine($"produced {total} records to {topic}" +
                string.Concat(_partitions.Select(p => $", [{p.Key}] offsets {p.Value.First}-{p.Value.Last}")));
        }
    }
}
