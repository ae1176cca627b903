using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Protocol;

/// <summary>
/// ListOffsets v1-v7 on the wire (v6 is the first flexible version, v7 the first with max-timestamp, -3): every
/// version answers earliest, latest and by-timestamp alike; -3 finds the record with the largest timestamp from v7 and
/// is refused per partition before it.
/// </summary>
public sealed class ListOffsetsVersionsTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private const long Base = 1_700_000_000_000;
    private readonly SiloProcess _silo = fixture.Silo;

    public static TheoryData<short> Versions => new() { 1, 2, 3, 4, 5, 6, 7 };

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Earliest_latest_and_by_timestamp_are_answered_alike_by_every_version(short version)
    {
        string topic = TestData.UniqueTopic("lo-v" + version);
        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await ProduceOutOfOrderTimestampsAsync(connection, topic);

        var answers = await ListAsync(connection, version, topic, -2, -1, Base + 2500, Base + 99_000);

        Assert.All(answers, a => Assert.Equal(0, a.ErrorCode));
        Assert.Equal(0, answers[0].Offset);
        Assert.Equal(6, answers[1].Offset);
        // Timestamps 1000, 5000, 2000 | 3000, 4000, 6000: the first record at or after +2500 is offset 1 (5000).
        Assert.Equal((1, Base + 5000), (answers[2].Offset, answers[2].Timestamp));
        Assert.Equal((-1, -1), (answers[3].Offset, answers[3].Timestamp));
    }

    [Fact]
    public async Task Max_timestamp_at_v7_is_the_record_with_the_largest_timestamp_not_the_last_one()
    {
        string topic = TestData.UniqueTopic("lo-max");
        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await connection.CreateTopicOrFailAsync(topic);
        // Two batches; the largest timestamp (+9000) is the middle record of the first one.
        await ProduceAsync(connection, topic, [new("a", "a", [], 1000), new("b", "b", [], 9000), new("c", "c", [], 2000)]);
        await ProduceAsync(connection, topic, [new("d", "d", [], 3000), new("e", "e", [], 4000)]);

        var answer = Assert.Single(await ListAsync(connection, 7, topic, -3));

        Assert.Equal(0, answer.ErrorCode);
        Assert.Equal((1, Base + 9000), (answer.Offset, answer.Timestamp));
    }

    [Fact]
    public async Task Max_timestamp_of_an_empty_partition_is_no_offset()
    {
        string topic = TestData.UniqueTopic("lo-max-empty");
        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await connection.CreateTopicOrFailAsync(topic);

        var answer = Assert.Single(await ListAsync(connection, 7, topic, -3));

        Assert.Equal((0, -1L, -1L), (answer.ErrorCode, answer.Offset, answer.Timestamp));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(6)]
    public async Task Max_timestamp_before_v7_is_refused_for_its_partition_only(short version)
    {
        string topic = TestData.UniqueTopic("lo-max-old");
        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await connection.CreateTopicOrFailAsync(topic, 2);
        Assert.Equal(0, (await connection.ProduceAsync(topic, 1, RecordBatchBuilder.Build([new("a", "a", []), new("b", "b", [])], Base))).ErrorCode);

        var answers = await ListPartitionsAsync(connection, version, topic, (0, -3), (1, -1));

        Assert.Equal((short)ErrorCode.UnsupportedVersion, answers[0].ErrorCode);
        Assert.Equal((0, 2L), (answers[1].ErrorCode, answers[1].Offset));
    }

    [Fact]
    public async Task Other_negative_timestamps_are_invalid_at_v7()
    {
        string topic = TestData.UniqueTopic("lo-bad");
        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await ProduceOutOfOrderTimestampsAsync(connection, topic);

        // -4 and -5 (earliest-local, latest-tiered) exist only from v8 and v9, which are not advertised.
        var answers = await ListAsync(connection, 7, topic, -4, -5, -1000);

        Assert.All(answers, a => Assert.Equal((short)ErrorCode.InvalidRequest, a.ErrorCode));
    }

    private static async Task ProduceOutOfOrderTimestampsAsync(RawKafkaConnection connection, string topic)
    {
        await connection.CreateTopicOrFailAsync(topic);
        await ProduceAsync(connection, topic, [new("a", "a", [], 1000), new("b", "b", [], 5000), new("c", "c", [], 2000)]);
        await ProduceAsync(connection, topic, [new("d", "d", [], 3000), new("e", "e", [], 4000), new("f", "f", [], 6000)]);
    }

    private static async Task ProduceAsync(RawKafkaConnection connection, string topic, TestRecord[] records)
    {
        var result = await connection.ProduceAsync(topic, 0, RecordBatchBuilder.Build(records, Base));
        Assert.Equal(0, result.ErrorCode);
    }

    /// <summary>
    /// One ListOffsets request per timestamp, for partition 0 of <paramref name="topic"/> (a partition named twice in
    /// one request is a duplicate that Kafka refuses, so each question goes alone).
    /// </summary>
    private static async Task<List<ListOffsetsResponse.ListOffsetsTopicResponse.ListOffsetsPartitionResponse>> ListAsync(
        RawKafkaConnection connection, short version, string topic, params long[] timestamps)
    {
        var answers = new List<ListOffsetsResponse.ListOffsetsTopicResponse.ListOffsetsPartitionResponse>();
        foreach (long timestamp in timestamps)
        {
            answers.Add(Assert.Single(await ListPartitionsAsync(connection, version, topic, (0, timestamp))));
        }

        return answers;
    }

    private static async Task<List<ListOffsetsResponse.ListOffsetsTopicResponse.ListOffsetsPartitionResponse>> ListPartitionsAsync(
        RawKafkaConnection connection, short version, string topic, params (int Partition, long Timestamp)[] questions)
    {
        var request = new ListOffsetsRequest { ReplicaId = -1 };
        var requestTopic = new ListOffsetsRequest.ListOffsetsTopic { Name = topic };
        foreach (var (partition, timestamp) in questions)
        {
            requestTopic.Partitions.Add(new() { PartitionIndex = partition, Timestamp = timestamp });
        }

        request.Topics.Add(requestTopic);
        ListOffsetsResponse response = await GeneratedMessageClient.SendAsync<ListOffsetsResponse>(connection, ApiKey.ListOffsets, version, request);
        var partitions = Assert.Single(response.Topics).Partitions;
        Assert.Equal(questions.Select(q => q.Partition), partitions.Select(p => p.PartitionIndex));
        return partitions;
    }
}
