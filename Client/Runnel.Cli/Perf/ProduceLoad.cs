using System.Diagnostics;
using Runnel.Client.Producer;

namespace Runnel.Cli.Perf;

/// <summary>
/// Produces <see cref="Count"/> records of <see cref="Size"/> bytes, paced to a throughput when one is given; each
/// record's latency runs from the moment it is handed to the producer to its acknowledgement.
/// </summary>
internal sealed class ProduceLoad(string topic, long count, int size, long throughput)
{
    // Acknowledgements awaited at once; the producer's BufferMemory is the real bound on what is queued.
    private const int MaxPending = 20_000;
    private long _acknowledged;

    public long Count { get; } = count;

    public int Size { get; } = size;

    public long Acknowledged => Volatile.Read(ref _acknowledged);

    public LatencyRecorder Latency { get; } = new(count);

    public async Task RunAsync(KafkaProducer<byte[]?, byte[]?> producer, CancellationToken cancellationToken)
    {
        byte[] value = new byte[Size];
        Random.Shared.NextBytes(value);
        var pending = new Queue<Task>();
        long started = Stopwatch.GetTimestamp();
        for (long i = 0; i < Count; i++)
        {
            if (throughput > 0)
            {
                TimeSpan due = TimeSpan.FromSeconds((double)i / throughput) - Stopwatch.GetElapsedTime(started);
                if (due > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(due, cancellationToken).ConfigureAwait(false);
                }
            }

            pending.Enqueue(TrackAsync(producer.ProduceAsync(new ProducerRecord<byte[]?, byte[]?>(topic, null, value), cancellationToken), Stopwatch.GetTimestamp()));
            if (pending.Count >= MaxPending)
            {
                await pending.Dequeue().ConfigureAwait(false);
            }
        }

        while (pending.Count > 0)
        {
            await pending.Dequeue().ConfigureAwait(false);
        }
    }

    private async Task TrackAsync(ValueTask<DeliveryResult> delivery, long startTimestamp)
    {
        await delivery.ConfigureAwait(false);
        Latency.AddSince(startTimestamp);
        Interlocked.Increment(ref _acknowledged);
    }
}
