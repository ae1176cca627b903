using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>
/// A Fetch response whose record sets are kept as segments (of the read buffer today, of the log's own memory once
/// the partition reader hands out slices) rather than in <see cref="FetchResponse"/>: the frame is sized first, then
/// the header and the small fields are encoded into the pipe and each record set is copied into it once, with no
/// intermediate encoding buffer. Versions 4-13 with the content this silo produces (no aborted transactions, no
/// tagged fields) take that path; anything else is encoded by the generated code, byte for byte the same.
/// </summary>
public sealed class FetchAnswer : IKafkaMessage, IPipeResponse
{
    private readonly List<ReadOnlyMemory<byte>> _segments = new();

    // Per partition entry, in the order the topics and partitions appear in the response: its first segment and
    // how many there are. Entries without records have a count of 0.
    private readonly List<(int First, int Count, long Length)> _records = new();

    public FetchAnswer(FetchResponse response) => Response = response;

    public FetchResponse Response { get; }

    /// <summary>
    /// The record sets' memory, entry after entry: add the next partition entry's segments (pieces of a read buffer,
    /// or slices of the log itself), then call <see cref="EndPartition"/>. The memory must stay valid and unchanged
    /// until the frame is written.
    /// </summary>
    public List<ReadOnlyMemory<byte>> Segments => _segments;

    /// <summary>Declares the record set of the next partition entry: the segments added since the previous call.</summary>
    public void EndPartition(int firstSegment, long length) => _records.Add((firstSegment, _segments.Count - firstSegment, length));

    public void Read(ref KafkaReader reader, short version) => throw new NotSupportedException("A Fetch answer is only ever written.");

    /// <summary>The generic path: the record sets are copied into each entry and the generated code encodes it.</summary>
    public void Write(KafkaWriter writer, short version)
    {
        int entry = 0;
        foreach (var topic in Response.Responses)
        {
            foreach (var partition in topic.Partitions)
            {
                (int first, int count, long length) = _records[entry++];
                if (count == 1)
                {
                    partition.Records = _segments[first];
                }
                else if (count > 1)
                {
                    var joined = new byte[length];
                    int position = 0;
                    for (int i = first; i < first + count; i++)
                    {
                        _segments[i].Span.CopyTo(joined.AsSpan(position));
                        position += _segments[i].Length;
                    }

                    partition.Records = joined;
                }
            }
        }

        Response.Write(writer, version);
    }

    public long WriteFrame(PipeWriter output, short version, int correlationId, bool flexibleHeader)
    {
        if (!CanWriteDirect(version))
        {
            return WriteGeneric(output, version, correlationId, flexibleHeader);
        }

        bool flexible = version >= 12;
        long size = 4 + (flexibleHeader ? 1 : 0) + MeasureBody(version, flexible);
        if (size > int.MaxValue)
        {
            ThrowTooLarge(size);
        }

        var writer = new PipeFieldWriter(output);
        writer.WriteInt32((int)size);
        writer.WriteInt32(correlationId);
        if (flexibleHeader)
        {
            writer.WriteEmptyTaggedFields();
        }

        WriteBody(ref writer, version, flexible);
        writer.Commit();
        return writer.Written;
    }

    /// <summary>Whether every field is one the direct encoder writes: versions 4-13, defaults where it writes none.</summary>
    private bool CanWriteDirect(short version)
    {
        if (version is < 4 or > 13)
        {
            return false;
        }

        int entries = 0;
        foreach (var topic in Response.Responses)
        {
            foreach (var partition in topic.Partitions)
            {
                entries++;
                if (partition.AbortedTransactions is { Count: > 0 }
                    || partition.Records is null
                    || (version >= 12 && !(partition.DivergingEpoch.HasDefaultValues() && partition.CurrentLeader.HasDefaultValues() && partition.SnapshotId.HasDefaultValues())))
                {
                    return false;
                }
            }
        }

        return entries == _records.Count;
    }

    private long MeasureBody(short version, bool flexible)
    {
        long size = 4 + (version >= 7 ? 6 : 0); // throttle, error code and session id
        size += PipeFieldWriter.SizeOfLength(Response.Responses.Count, flexible, shortPrefix: false);
        int entry = 0;
        foreach (var topic in Response.Responses)
        {
            size += version >= 13 ? 16 : PipeFieldWriter.SizeOfLength(Encoding.UTF8.GetByteCount(topic.Topic), flexible, shortPrefix: true) + Encoding.UTF8.GetByteCount(topic.Topic);
            size += PipeFieldWriter.SizeOfLength(topic.Partitions.Count, flexible, shortPrefix: false);
            foreach (var partition in topic.Partitions)
            {
                long records = _records[entry++].Length;
                size += 4 + 2 + 8 + 8 + (version >= 5 ? 8 : 0); // index, error, high watermark, last stable, log start
                size += PipeFieldWriter.SizeOfLength(partition.AbortedTransactions is null ? -1 : 0, flexible, shortPrefix: false);
                size += version >= 11 ? 4 : 0;
                size += PipeFieldWriter.SizeOfLength(checked((int)records), flexible, shortPrefix: false) + records;
                size += flexible ? 1 : 0;
            }

            size += flexible ? 1 : 0;
        }

        return size + (flexible ? 1 : 0);
    }

    private void WriteBody(ref PipeFieldWriter writer, short version, bool flexible)
    {
        writer.WriteInt32(Response.ThrottleTimeMs);
        if (version >= 7)
        {
            writer.WriteInt16(Response.ErrorCode);
            writer.WriteInt32(Response.SessionId);
        }

        writer.WriteLength(Response.Responses.Count, flexible, shortPrefix: false);
        int entry = 0;
        foreach (var topic in Response.Responses)
        {
            if (version >= 13)
            {
                writer.WriteUuid(topic.TopicId);
            }
            else
            {
                writer.WriteString(topic.Topic, Encoding.UTF8.GetByteCount(topic.Topic), flexible);
            }

            writer.WriteLength(topic.Partitions.Count, flexible, shortPrefix: false);
            foreach (var partition in topic.Partitions)
            {
                (int first, int count, long length) = _records[entry++];
                writer.WriteInt32(partition.PartitionIndex);
                writer.WriteInt16(partition.ErrorCode);
                writer.WriteInt64(partition.HighWatermark);
                writer.WriteInt64(partition.LastStableOffset);
                if (version >= 5)
                {
                    writer.WriteInt64(partition.LogStartOffset);
                }

                writer.WriteLength(partition.AbortedTransactions is null ? -1 : 0, flexible, shortPrefix: false);
                if (version >= 11)
                {
                    writer.WriteInt32(partition.PreferredReadReplica);
                }

                // Every entry of this silo carries a record set, empty when there is nothing to return.
                writer.WriteLength((int)length, flexible, shortPrefix: false);
                for (int i = first; i < first + count; i++)
                {
                    writer.WriteRaw(_segments[i].Span);
                }

                if (flexible)
                {
                    writer.WriteEmptyTaggedFields();
                }
            }

            if (flexible)
            {
                writer.WriteEmptyTaggedFields();
            }
        }

        if (flexible)
        {
            writer.WriteEmptyTaggedFields();
        }
    }

    private long WriteGeneric(PipeWriter output, short version, int correlationId, bool flexibleHeader)
    {
        using var writer = new KafkaWriter();
        int sizePosition = writer.Reserve(4);
        writer.WriteInt32(correlationId);
        if (flexibleHeader)
        {
            writer.WriteEmptyTaggedFields();
        }

        Write(writer, version);
        writer.PatchInt32(sizePosition, writer.Length - 4);
        output.Write(writer.WrittenSpan);
        return writer.Length;
    }

    private static void ThrowTooLarge(long size) => throw new InvalidOperationException($"A Fetch response of {size} bytes does not fit a frame.");
}
