using Runnel.Client.Consumer;
using Runnel.Client.Producer;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Client.Tests;

/// <summary>Retries after a forced connection drop (the silo killed with SIGKILL mid-stream) never duplicate or reorder.</summary>
public sealed class IdempotenceTests : IAsyncLifetime
{
    private SiloProcess? _silo;

    public async Task InitializeAsync() => _silo = await SiloProcess.StartNewAsync(new SiloProcessOptions { NumPartitions = 2 });

    public Task DisposeAsync()
    {
        _silo?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_stream_survives_kill_9_and_restart_exactly_once_in_order()
    {
        SiloProcess silo = _silo!;
        string topic = TestData.UniqueTopic("idem");
        long retries = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Runnel.Client" && instrument.Name == "runnel.client.producer.retries")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref retries, value));
        listener.Start();
        const int Total = 4000;
        var options = TestHelpers.Producer(silo, o =>
        {
            o.BatchSize = 2048; // many small batches, so several are in flight when the silo dies
            o.RetryBackoffMax = TimeSpan.FromMilliseconds(300);
            o.RequestTimeout = TimeSpan.FromSeconds(10);
        });
        await using (var producer = new KafkaProducer<string, string>(options))
        {
            var deliveries = new List<Task<DeliveryResult>>(Total);
            for (int i = 0; i < Total; i++)
            {
                deliveries.Add(producer.ProduceAsync(topic, $"k{i % 10}", $"v{i:D6}").AsTask());
                if (i == Total / 2)
                {
                    await Task.WhenAll(deliveries.Take(100)); // some acknowledged before the crash
                    silo.KillHard();
                    _ = Task.Run(async () =>
                    {
                        await Task.Delay(1500);
                        await silo.RestartAsync();
                    });
                }

                if (i % 200 == 0)
                {
                    await Task.Delay(5); // a stream, not one burst
                }
            }

            DeliveryResult[] results = await Task.WhenAll(deliveries).WaitAsync(TimeSpan.FromSeconds(150));
            foreach (IGrouping<int, (DeliveryResult Result, int Index)> partition in results.Select((r, i) => (r, i)).GroupBy(x => x.r.Partition))
            {
                // Per partition the acknowledged offsets follow the produce order and are dense from 0.
                Assert.Equal(Enumerable.Range(0, partition.Count()).Select(o => (long)o), partition.Select(x => x.Result.Offset));
            }
        }

        Assert.True(Interlocked.Read(ref retries) > 0, "the crash should have forced retries of in-flight batches");
        silo.AssertAlive("after the stream");
        await using var consumer = new KafkaConsumer<string, string>(TestHelpers.Consumer(silo));
        consumer.Assign([new TopicPartitionOffset(topic, 0, Offsets.Beginning), new TopicPartitionOffset(topic, 1, Offsets.Beginning)]);
        List<ConsumeResult<string, string>> records = await TestHelpers.TakeAsync(consumer, Total);
        await TestHelpers.AssertNothingAsync(consumer, TimeSpan.FromSeconds(1));

        Assert.Equal(Total, records.Select(r => r.Value).Distinct().Count());
        foreach (IGrouping<int, ConsumeResult<string, string>> partition in records.GroupBy(r => r.Partition))
        {
            List<string> values = [.. partition.Select(r => r.Value)];
            Assert.Equal(values.Order(StringComparer.Ordinal), values); // produce order kept per partition
            Assert.Equal(Enumerable.Range(0, values.Count).Select(o => (long)o), partition.Select(r => r.Offset));
        }
    }
}
