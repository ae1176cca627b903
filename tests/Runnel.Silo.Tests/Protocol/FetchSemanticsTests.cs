using System.Diagnostics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Protocol;

/// <summary>
/// Fetch as clients rely on it: long polls that end when data arrives or max_wait_ms passes, max_bytes and
/// per-partition limits on whole batches, KIP-74's oversized first batch, mid-batch offsets, topic ids (v13).
/// </summary>
public sealed class FetchSemanticsTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private readonly SiloProcess _silo = fixture.Silo;

    private static byte[] Batch(int records, int valueBytes)
    {
        var builder = new Runnel.Records.RecordBatchBuilder();
        for (int i = 0; i < records; i++)
        {
            builder.Add(1_700_000_000_000 + i, null, new byte[valueBytes]);
        }

        return builder.ToArray();
    }

    private static FetchRequest Request(string topic, Guid topicId, long offset, int maxWaitMs, int minBytes = 1, int maxBytes = 50 << 20, int partitionMaxBytes = 10 << 20)
    {
        var request = new FetchRequest { MaxWaitMs = maxWaitMs, MinBytes = minBytes, MaxBytes = maxBytes, IsolationLevel = 1 };
        var fetchTopic = new FetchRequest.FetchTopic { Topic = topic, TopicId = topicId };
        fetchTopic.Partitions.Add(new() { Partition = 0, FetchOffset = offset, PartitionMaxBytes = partitionMaxBytes });
        request.Topics.Add(fetchTopic);
        return request;
    }

    private static FetchResponse.FetchableTopicResponse.PartitionData Partition(FetchResponse response)
        => Assert.Single(Assert.Single(response.Responses).Partitions);

    private async Task<(RawKafkaConnection Connection, string Topic)> NewTopicAsync(string prefix)
    {
        string topic = TestData.UniqueTopic(prefix);
        RawKafkaConnection connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await connection.CreateTopicOrFailAsync(topic);
        return (connection, topic);
    }

    [Fact]
    public async Task A_long_poll_on_an_empty_partition_waits_for_max_wait_and_returns_an_empty_record_set()
    {
        var (connection, topic) = await NewTopicAsync("poll-empty");
        await using var _ = connection;

        var clock = Stopwatch.StartNew();
        FetchResponse response = await GeneratedMessageClient.SendAsync<FetchResponse>(connection, ApiKey.Fetch, 11, Request(topic, Guid.Empty, 0, maxWaitMs: 600));

        Assert.True(clock.ElapsedMilliseconds >= 550, $"answered after {clock.ElapsedMilliseconds} ms, before max_wait_ms");
        var partition = Partition(response);
        Assert.Equal(0, partition.ErrorCode);
        Assert.Equal(0, partition.HighWatermark);
        Assert.Equal(0, partition.Records!.Value.Length);
    }

    [Fact]
    public async Task A_long_poll_is_woken_by_a_produce_on_another_connection()
    {
        var (connection, topic) = await NewTopicAsync("poll-wake");
        await using var _ = connection;
        await using var producer = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);

        var clock = Stopwatch.StartNew();
        Task<FetchResponse> poll = GeneratedMessageClient.SendAsync<FetchResponse>(connection, ApiKey.Fetch, 11, Request(topic, Guid.Empty, 0, maxWaitMs: 20_000));
        await Task.Delay(300);
        Assert.False(poll.IsCompleted, "the fetch returned before any data arrived");
        Assert.Equal(0, (await producer.ProduceAsync(topic, 0, Batch(3, 10))).ErrorCode);
        FetchResponse response = await poll;

        Assert.True(clock.ElapsedMilliseconds < 15_000, "the produce did not wake the waiting fetch");
        var partition = Partition(response);
        Assert.Equal(3, partition.HighWatermark);
        Assert.Equal(3, Assert.Single(StoredBatch.Split(partition.Records!.Value.ToArray())).RecordCount);
    }

    [Fact]
    public async Task Max_bytes_limits_the_answer_to_whole_batches_but_the_first_batch_always_comes_back()
    {
        var (connection, topic) = await NewTopicAsync("max-bytes");
        await using var _ = connection;
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(0, (await connection.ProduceAsync(topic, 0, Batch(1, 1000))).ErrorCode);
        }

        int batchSize = Batch(1, 1000).Length;
        FetchResponse twoFit = await GeneratedMessageClient.SendAsync<FetchResponse>(connection, ApiKey.Fetch, 11, Request(topic, Guid.Empty, 0, 0, maxBytes: (2 * batchSize) + 10));
        FetchResponse perPartition = await GeneratedMessageClient.SendAsync<FetchResponse>(connection, ApiKey.Fetch, 11, Request(topic, Guid.Empty, 0, 0, partitionMaxBytes: batchSize + 10));
        FetchResponse tooSmall = await GeneratedMessageClient.SendAsync<FetchResponse>(connection, ApiKey.Fetch, 11, Request(topic, Guid.Empty, 0, 0, maxBytes: 100, partitionMaxBytes: 100));

        Assert.Equal(2, StoredBatch.Split(Partition(twoFit).Records!.Value.ToArray()).Count);
        Assert.Single(StoredBatch.Split(Partition(perPartition).Records!.Value.ToArray()));
        Assert.Single(StoredBatch.Split(Partition(tooSmall).Records!.Value.ToArray()));
    }

    [Fact]
    public async Task A_mid_batch_offset_returns_the_whole_batch_that_holds_it()
    {
        var (connection, topic) = await NewTopicAsync("mid-batch");
        await using var _ = connection;
        Assert.Equal(0, (await connection.ProduceAsync(topic, 0, Batch(10, 5))).ErrorCode);
        Assert.Equal(10, (await connection.ProduceAsync(topic, 0, Batch(10, 5))).BaseOffset);

        FetchResponse response = await GeneratedMessageClient.SendAsync<FetchResponse>(connection, ApiKey.Fetch, 11, Request(topic, Guid.Empty, 15, 0));

        StoredBatch batch = StoredBatch.Split(Partition(response).Records!.Value.ToArray())[0];
        Assert.Equal(10, batch.BaseOffset);
        Assert.Equal(19, batch.LastOffset);
    }

    [Fact]
    public async Task Offsets_beyond_the_log_get_offset_out_of_range()
    {
        var (connection, topic) = await NewTopicAsync("out-of-range");
        await using var _ = connection;
        Assert.Equal(0, (await connection.ProduceAsync(topic, 0, Batch(2, 5))).ErrorCode);

        FetchResponse response = await GeneratedMessageClient.SendAsync<FetchResponse>(connection, ApiKey.Fetch, 11, Request(topic, Guid.Empty, 7, 0));

        Assert.Equal((short)ErrorCode.OffsetOutOfRange, Partition(response).ErrorCode);
        Assert.Equal(2, Partition(response).HighWatermark);
    }

    [Fact]
    public async Task Fetch_v13_addresses_topics_by_the_id_metadata_gives_and_unknown_ids_are_refused()
    {
        var (connection, topic) = await NewTopicAsync("by-id");
        await using var _ = connection;
        Assert.Equal(0, (await connection.ProduceAsync(topic, 0, Batch(4, 5))).ErrorCode);
        var metadataRequest = new MetadataRequest { Topics = [new() { Name = topic }] };
        MetadataResponse metadata = await GeneratedMessageClient.SendAsync<MetadataResponse>(connection, ApiKey.Metadata, 12, metadataRequest);
        Guid topicId = Assert.Single(metadata.Topics).TopicId;
        Assert.NotEqual(Guid.Empty, topicId);

        FetchResponse known = await GeneratedMessageClient.SendAsync<FetchResponse>(connection, ApiKey.Fetch, 13, Request(string.Empty, topicId, 0, 0));
        FetchResponse unknown = await GeneratedMessageClient.SendAsync<FetchResponse>(connection, ApiKey.Fetch, 13, Request(string.Empty, Guid.NewGuid(), 0, 0));

        Assert.Equal(topicId, Assert.Single(known.Responses).TopicId);
        Assert.Equal(4, Assert.Single(StoredBatch.Split(Partition(known).Records!.Value.ToArray())).RecordCount);
        Assert.Equal((short)ErrorCode.UnknownTopicId, Partition(unknown).ErrorCode);
    }
}
