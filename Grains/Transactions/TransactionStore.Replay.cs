using System.Text;
using System.Text.Json;
using Runnel.Grains.Metadata;
using Runnel.Grains.Partitions;
using Runnel.Protocol;
using Runnel.Records;

namespace Runnel.Grains.Transactions;

public sealed partial class TransactionStore
{
    /// <summary>Reads one partition of the topic from its start; the last record of each transactional id wins.</summary>
    private async Task<long> ReplayAsync(int partition)
    {
        if (!_topics.TryGetTopic(TransactionStateTopic.Name, out TopicMetadata? topic))
        {
            return 0;
        }

        IPartitionReader reader = await _topics.GetReaderAsync(topic, partition, CancellationToken.None).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Partition {partition} of {TransactionStateTopic.Name} could not be opened.");
        return await LogReplay.ReplayAsync(reader, ReplayBatches, CancellationToken.None).ConfigureAwait(false);
    }

    private long ReplayBatches(ReadOnlySpan<byte> batches, ref long next)
    {
        long records = 0;
        foreach (RecordBatchEntry batch in new RecordBatchEnumerator(batches))
        {
            RecordBatchHeader header = batch.Header;
            if (header.LastOffset < next)
            {
                continue;
            }

            if (!header.IsControl && header.Compression == CompressionCodec.None)
            {
                foreach (RecordView record in new RecordReader(batch.Bytes))
                {
                    if (record.Offset >= next && !record.IsKeyNull && !record.IsValueNull && TryDecode(record.Value, out TransactionMetadata? metadata))
                    {
                        _transactions[Encoding.UTF8.GetString(record.Key)] = metadata;
                        records++;
                    }
                }
            }

            next = header.LastOffset + 1;
        }

        return records;
    }

    private static bool TryDecode(ReadOnlySpan<byte> value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TransactionMetadata? metadata)
    {
        try
        {
            metadata = JsonSerializer.Deserialize(value, TransactionJsonContext.Default.TransactionMetadata);
            return metadata is { Format: >= 1 and <= TransactionMetadata.CurrentFormat };
        }
        catch (JsonException)
        {
            metadata = null;
            return false;
        }
    }
}
