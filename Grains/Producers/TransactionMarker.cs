using System.Buffers.Binary;
using Runnel.Records;

namespace Runnel.Grains.Producers;

/// <summary>
/// Kafka's transaction markers: a control batch of one record whose key is (version 0, type) with type 0 for abort
/// and 1 for commit, and whose value is (version 0, coordinator epoch). Written by the broker, never by producers.
/// </summary>
public static class TransactionMarker
{
    private const short AbortType = 0;
    private const short CommitType = 1;

    /// <summary>The control batch ending (committing or aborting) the transaction of a producer in one partition.</summary>
    public static byte[] Build(long producerId, short producerEpoch, bool commit, int coordinatorEpoch, long timestampMs)
    {
        byte[] key = new byte[4];
        BinaryPrimitives.WriteInt16BigEndian(key.AsSpan(2), commit ? CommitType : AbortType);
        byte[] value = new byte[6];
        BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(2), coordinatorEpoch);
        var builder = new RecordBatchBuilder
        {
            ProducerId = producerId,
            ProducerEpoch = producerEpoch,
            BaseSequence = -1,
            IsTransactional = true,
            IsControl = true,
        };
        return builder.Add(timestampMs, key, value).ToArray();
    }

    /// <summary>
    /// Whether a stored control batch commits (true) or aborts (false); null when its first record is not a marker
    /// this code knows (a future control type): such a batch ends nothing.
    /// </summary>
    public static bool? IsCommit(ReadOnlySpan<byte> controlBatch)
    {
        RecordBatchHeader header = RecordBatchHeader.Read(controlBatch);
        if (header.Compression != CompressionCodec.None)
        {
            return null;
        }

        foreach (RecordView record in new RecordReader(controlBatch))
        {
            ReadOnlySpan<byte> key = record.Key;
            if (key.Length < 4)
            {
                return null;
            }

            short type = BinaryPrimitives.ReadInt16BigEndian(key[2..]);
            return type == CommitType ? true : type == AbortType ? false : null;
        }

        return null;
    }
}
