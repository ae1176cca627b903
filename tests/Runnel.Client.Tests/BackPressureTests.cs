using Runnel.Client.Consumer;
using Runnel.Client.Producer;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Client.Tests;

/// <summary>A tiny BufferMemory makes producing wait for acknowledgements instead of queueing without bound.</summary>
public sealed class BackPressureTests : IAsyncLifetime
{
    private SiloProcess? _silo;

    public async Task InitializeAsync() => _silo = await SiloProcess.StartNewAsync();

    public Task DisposeAsync()
    {
        _silo?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Producing_waits_while_the_buffer_is_full_and_resumes_when_records_are_acknowledged()
    {
        SiloProcess silo = _silo!;
        string topic = TestData.UniqueTopic("backpressure");
        await using var producer = new KafkaProducer<string, string>(TestHelpers.Producer(silo, o =>
        {
            o.BufferMemory = 4096;
            o.RetryBackoffMax = TimeSpan.FromMilliseconds(300);
        }));
        string value = new('x', 1500);
        await producer.ProduceAsync(topic, "warm-up", value); // topic and connections exist

        silo.KillHard(); // nothing is acknowledged from now on
        await producer.EnqueueAsync(topic, "a", value);
        await producer.EnqueueAsync(topic, "b", value);
        ValueTask third = producer.EnqueueAsync(topic, "c", value);
        await Task.Delay(1000);
        Assert.False(third.IsCompleted, "the third 1.5 KB record must wait: 4 KiB of buffer memory are taken");
        Assert.True(producer.AvailableBufferMemory < 1500);

        await silo.RestartAsync();
        await third.AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        for (int i = 0; i < 20; i++)
        {
            await producer.EnqueueAsync(topic, $"more-{i}", value);
            Assert.True(producer.AvailableBufferMemory >= 0);
        }

        await producer.FlushAsync();
        Assert.Equal(4096, producer.AvailableBufferMemory);

        await using var consumer = new KafkaConsumer<string, string>(TestHelpers.Consumer(silo));
        consumer.Assign([new TopicPartitionOffset(topic, 0, Offsets.Beginning)]);
        List<ConsumeResult<string, string>> records = await TestHelpers.TakeAsync(consumer, 24);
        Assert.Equal(["warm-up", "a", "b", "c", .. Enumerable.Range(0, 20).Select(i => $"more-{i}")], records.Select(r => r.Key));
    }
}
