using System.Buffers;
using System.Diagnostics;
using Runnel.Client.Compression;
using Runnel.Records;

namespace Runnel.Client.Producer;

/// <summary>
/// The records bound for one partition that travel as one record batch. Records are encoded into a
/// <see cref="RecordBatchBuilder"/> as they arrive; the batch is sealed (header, sequence, compression, CRC) into a
/// pooled buffer when it is first sent, and sealed again only if the producer id changes. Completes with the base
/// offset the broker assigned.
/// </summary>
internal sealed class ProducerBatch
{
    private readonly TaskCompletionSource<long> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[]? _sealed;

    public ProducerBatch(PartitionQueue queue, RecordBatchBuilder builder, long createdTimestamp)
    {
        Queue = queue;
        Builder = builder;
        CreatedTimestamp = createdTimestamp;
    }

    public PartitionQueue Queue { get; }

    public RecordBatchBuilder Builder { get; private set; }

    /// <summary><see cref="Stopwatch"/> timestamp of the first record, for linger and the delivery timeout.</summary>
    public long CreatedTimestamp { get; }

    public int RecordCount => Builder.Count;

    /// <summary>Buffer-memory bytes reserved for the records, released on completion.</summary>
    public int ReservedBytes { get; set; }

    /// <summary>No more records may be added.</summary>
    public bool IsClosed { get; set; }

    public int Attempts { get; set; }

    /// <summary>Not before this <see cref="Stopwatch"/> timestamp (retry back-off).</summary>
    public long NotBefore { get; set; }

    /// <summary>The first sequence number, once sealed with idempotence; -1 otherwise.</summary>
    public int BaseSequence => Builder.BaseSequence;

    public bool IsSealed => _sealed is not null;

    public ReadOnlyMemory<byte> Bytes { get; private set; }

    public Task<long> Completion => _completion.Task;

    public bool IsDone => _completion.Task.IsCompleted;

    /// <summary>Encodes the batch (with the producer id and first sequence) into a pooled buffer.</summary>
    public void Seal(long producerId, short producerEpoch, int baseSequence, CompressionCodec codec, int? level)
    {
        ReturnSealed();
        Builder.ProducerId = producerId;
        Builder.ProducerEpoch = producerEpoch;
        Builder.BaseSequence = baseSequence;
        int size = RecordBatchHeader.Size + Builder.UncompressedRecordsSize;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
        var writer = new SpanBufferWriter(buffer);
        int written = Builder.WriteTo(writer);
        int length = BatchCodec.Compress(buffer.AsSpan(0, written), codec, level);
        _sealed = buffer;
        Bytes = new ReadOnlyMemory<byte>(buffer, 0, length);
    }

    /// <summary>Forgets the sealed bytes so the next send seals again (after a producer id reset).</summary>
    public void Unseal() => ReturnSealed();

    public bool TryComplete(long baseOffset)
    {
        if (!_completion.TrySetResult(baseOffset))
        {
            return false;
        }

        Release();
        return true;
    }

    public bool TryFail(Exception error)
    {
        if (!_completion.TrySetException(error))
        {
            return false;
        }

        Release();
        return true;
    }

    private void Release()
    {
        ReturnSealed();
        Queue.Accumulator.ReturnBuilder(Builder);
        Builder = null!;
    }

    private void ReturnSealed()
    {
        byte[]? buffer = _sealed;
        _sealed = null;
        Bytes = default;
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>An <see cref="IBufferWriter{T}"/> over a buffer known to be large enough.</summary>
    private sealed class SpanBufferWriter(byte[] buffer) : IBufferWriter<byte>
    {
        private int _written;

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => buffer.AsMemory(_written);

        public Span<byte> GetSpan(int sizeHint = 0) => buffer.AsSpan(_written);
    }
}
