using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Runnel.Grains;

namespace Runnel.Grains.Tests;

/// <summary>
/// Every type that crosses a grain call survives Orleans' serializer and copier unchanged: on one silo calls are
/// local (copied, not serialized), but across silos each argument and answer is serialized.
/// </summary>
public sealed class GrainContractSerializationTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    [Fact]
    public void Partition_and_topic_answers_round_trip()
    {
        AssertRoundTrip(new AppendOutcome(ErrorCode.None, 42, -1, 7, null) { LastOffset = 45 });
        AssertRoundTrip(AppendOutcome.Failed(ErrorCode.OutOfOrderSequenceNumber, "sequence 9 does not follow 7"));
        AssertRoundTrip(new PartitionOffsets(3, 99));
        AssertRoundTrip(new DeleteRecordsOutcome(ErrorCode.OffsetOutOfRange, 12));
        AssertRoundTrip(new TopicChange(ErrorCode.InvalidConfig, "no"));
    }

    [Fact]
    public void Transaction_coordinator_calls_and_answers_round_trip()
    {
        AssertRoundTrip(new TxnPartition("orders", 3));
        AssertRoundTrip(new TxnInitOutcome(ErrorCode.ProducerFenced, 17, 4));
        TxnDescription described = RoundTrip(new TxnDescription("tx-1", "Ongoing", 17, 4, 60_000, [new TxnPartition("orders", 3)]));
        Assert.Equal("tx-1", described.TransactionalId);
        Assert.Equal(new TxnPartition("orders", 3), Assert.Single(described.Partitions));
    }

    [Fact]
    public void Group_calls_and_answers_round_trip()
    {
        var join = new JoinGroupCall("m-1", "static-1", "client", "/127.0.0.1", 10_000, 60_000, "consumer", [new GroupProtocol("range", [1, 2, 3])], true);
        JoinGroupCall joinCopy = RoundTrip(join);
        Assert.Equal(join with { Protocols = joinCopy.Protocols }, joinCopy);
        Assert.Equal([1, 2, 3], Assert.Single(joinCopy.Protocols).Metadata);

        JoinGroupOutcome joined = RoundTrip(new JoinGroupOutcome(ErrorCode.None, 3, "consumer", "range", "m-1", "m-2", false, [new JoinedMember("m-1", null, [9])]));
        Assert.Equal(3, joined.GenerationId);
        Assert.Equal([9], Assert.Single(joined.Members).Metadata);

        SyncGroupCall sync = RoundTrip(new SyncGroupCall(3, "m-1", null, "consumer", "range", [new MemberAssignment("m-2", [4])]));
        Assert.Equal("m-2", Assert.Single(sync.Assignments).MemberId);
        Assert.Equal([5, 6], RoundTrip(new SyncGroupOutcome(ErrorCode.None, "consumer", "range", [5, 6])).Assignment);

        OffsetCommitCall commit = RoundTrip(new OffsetCommitCall(3, "m-1", null, [new OffsetCommitEntry("orders", 2, 1234, 0, "meta")]));
        Assert.Equal(new OffsetCommitEntry("orders", 2, 1234, 0, "meta"), Assert.Single(commit.Offsets));

        OffsetDeleteOutcome deleted = RoundTrip(new OffsetDeleteOutcome(ErrorCode.None, [ErrorCode.GroupSubscribedToTopic, ErrorCode.None]));
        Assert.Equal([ErrorCode.GroupSubscribedToTopic, ErrorCode.None], deleted.Partitions);
        AssertRoundTrip(new GroupTopicPartition("orders", 1));
        AssertRoundTrip(new LeavingMember("m-1", "static-1"));

        GroupDescription described = RoundTrip(new GroupDescription("g", "Stable", "consumer", "range", 3, "m-1",
            [new GroupMemberDescription("m-1", null, "client", "/127.0.0.1", 10_000, [1], [2])]));
        Assert.Equal([2], Assert.Single(described.Members).Assignment);
    }

    private void AssertRoundTrip<T>(T value)
        where T : notnull => Assert.Equal(value, RoundTrip(value));

    private T RoundTrip<T>(T value)
        where T : notnull
    {
        Serializer<T> serializer = _services.GetRequiredService<Serializer<T>>();
        T? copy = serializer.Deserialize(serializer.SerializeToArray(value));
        Assert.NotNull(copy);
        Assert.Equal(value.GetType(), _services.GetRequiredService<DeepCopier<T>>().Copy(value).GetType());
        return copy;
    }
}
