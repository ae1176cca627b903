using Runnel.Client.Consumer;
using Runnel.Client.Producer;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Client.Tests;

/// <summary>Small helpers shared by the client tests.</summary>
internal static class TestHelpers
{
    public static ProducerOptions Producer(SiloProcess silo, Action<ProducerOptions>? configure = null)
    {
        var options = new ProducerOptions { BootstrapServers = silo.BootstrapServers, ClientId = "runnel-client-tests" };
        configure?.Invoke(options);
        return options;
    }

    public static ConsumerOptions Consumer(SiloProcess silo, string? groupId = null, Action<ConsumerOptions>? configure = null)
    {
        var options = new ConsumerOptions
        {
            BootstrapServers = silo.BootstrapServers,
            ClientId = "runnel-client-tests",
            GroupId = groupId,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchMaxWait = TimeSpan.FromMilliseconds(200),
            HeartbeatInterval = TimeSpan.FromMilliseconds(500),
            SessionTimeout = TimeSpan.FromSeconds(10),
            RebalanceTimeout = TimeSpan.FromSeconds(20),
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Consumes exactly <paramref name="count"/> records or fails after <paramref name="timeout"/> (default 60 s).</summary>
    public static async Task<List<ConsumeResult<TKey, TValue>>> TakeAsync<TKey, TValue>(KafkaConsumer<TKey, TValue> consumer, int count, TimeSpan? timeout = null)
    {
        var records = new List<ConsumeResult<TKey, TValue>>(count);
        if (count == 0)
        {
            return records;
        }

        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await foreach (ConsumeResult<TKey, TValue> record in consumer.ConsumeAsync(cts.Token))
            {
                records.Add(record);
                if (records.Count == count)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"consumed {records.Count} of {count} records before the time-out");
        }

        return records;
    }

    /// <summary>Asserts no record arrives within <paramref name="window"/>.</summary>
    public static async Task AssertNothingAsync<TKey, TValue>(KafkaConsumer<TKey, TValue> consumer, TimeSpan window)
    {
        using var cts = new CancellationTokenSource(window);
        try
        {
            await foreach (ConsumeResult<TKey, TValue> record in consumer.ConsumeAsync(cts.Token))
            {
                Assert.Fail($"unexpected record {record.TopicPartitionOffset}");
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public static List<(string Key, string Value)> HeaderPairs(IReadOnlyList<Header> headers) =>
        [.. headers.Select(h => (h.Key, h.ValueAsString() ?? string.Empty))];
}
