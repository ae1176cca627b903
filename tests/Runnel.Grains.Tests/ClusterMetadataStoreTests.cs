using Runnel.Grains.Metadata;
using Runnel.Protocol;

namespace Runnel.Grains.Tests;

public sealed class ClusterMetadataStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static KeyValuePair<string, string?> Set(string name, string? value) => new(name, value);

    [Fact]
    public void Topics_round_trip_through_the_file()
    {
        ClusterMetadataStore store = ClusterMetadataStore.Open(_dir.Path);
        TopicOperationResult created = store.CreateTopic("orders", 3, [Set("retention.ms", "1000")]);
        Assert.True(created.IsSuccess);
        store.CreateTopic("clicks", 1);
        Assert.True(store.CreatePartitions("orders", 5).IsSuccess);
        Assert.True(store.AlterTopicConfig("orders", [Set("retention.bytes", "99")]).IsSuccess);
        Assert.True(store.DeleteTopic("clicks").IsSuccess);

        ClusterMetadataStore reopened = ClusterMetadataStore.Open(_dir.Path);
        Assert.Equal(store.ClusterId, reopened.ClusterId);
        TopicMetadata orders = Assert.Single(reopened.ListTopics());
        Assert.Equal(("orders", created.Topic!.TopicId, 5), (orders.Name, orders.TopicId, orders.PartitionCount));
        Assert.Equal(1000, orders.Config.RetentionMs);
        Assert.Equal(99, orders.Config.RetentionBytes);
        Assert.True(reopened.TryGetTopic(created.Topic.TopicId, out TopicMetadata? byId));
        Assert.Equal("orders", byId.Name);
    }

    [Fact]
    public void Errors_carry_kafka_codes_and_clear_messages()
    {
        ClusterMetadataStore store = ClusterMetadataStore.Open(_dir.Path);
        store.CreateTopic("a.b", 1);
        Assert.Equal(ErrorCode.TopicAlreadyExists, store.CreateTopic("a.b", 1).Error);
        Assert.Equal(ErrorCode.InvalidTopicException, store.CreateTopic("a_b", 1).Error);
        Assert.Equal(ErrorCode.InvalidTopicException, store.CreateTopic("..", 1).Error);
        Assert.Equal(ErrorCode.InvalidTopicException, store.CreateTopic("", 1).Error);
        Assert.Equal(ErrorCode.InvalidTopicException, store.CreateTopic(new string('x', 250), 1).Error);
        Assert.Equal(ErrorCode.InvalidTopicException, store.CreateTopic("spaces are bad", 1).Error);
        Assert.True(store.CreateTopic(new string('x', 249), 1).IsSuccess);
        Assert.Equal(ErrorCode.InvalidPartitions, store.CreateTopic("zero", 0).Error);
        Assert.Equal(ErrorCode.InvalidPartitions, store.CreatePartitions("a.b", 1).Error);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, store.DeleteTopic("missing").Error);

        TopicOperationResult compact = store.CreateTopic("compacted", 1, [Set("cleanup.policy", "compact")]);
        Assert.Equal(ErrorCode.InvalidConfig, compact.Error);
        Assert.Equal("cleanup.policy=compact is not supported yet", compact.Message);
        Assert.False(store.TryGetTopic("compacted", out _));
    }

    [Fact]
    public void Validate_only_changes_nothing()
    {
        ClusterMetadataStore store = ClusterMetadataStore.Open(_dir.Path);
        Assert.True(store.CreateTopic("t", 2, validateOnly: true).IsSuccess);
        Assert.Empty(store.ListTopics());
        store.CreateTopic("t", 2);
        Assert.True(store.CreatePartitions("t", 4, validateOnly: true).IsSuccess);
        Assert.True(store.AlterTopicConfig("t", [Set("retention.ms", "5")], validateOnly: true).IsSuccess);
        Assert.True(ClusterMetadataStore.Open(_dir.Path).TryGetTopic("t", out TopicMetadata? t));
        Assert.Equal((2, 604_800_000L), (t.PartitionCount, t.Config.RetentionMs));
    }

    [Fact]
    public void Producer_ids_are_never_reused_across_restarts()
    {
        var seen = new HashSet<long>();
        for (int restart = 0; restart < 3; restart++)
        {
            ClusterMetadataStore store = ClusterMetadataStore.Open(_dir.Path);
            for (int i = 0; i < 1500; i++)
            {
                Assert.True(seen.Add(store.AllocateProducerId()));
            }
        }
    }

    [Fact]
    public void Concurrent_changes_are_all_kept()
    {
        ClusterMetadataStore store = ClusterMetadataStore.Open(_dir.Path);
        var ids = new System.Collections.Concurrent.ConcurrentBag<long>();
        Parallel.For(0, 40, i =>
        {
            Assert.True(store.CreateTopic($"topic-{i}", 1).IsSuccess);
            ids.Add(store.AllocateProducerId());
        });

        Assert.Equal(40, ClusterMetadataStore.Open(_dir.Path).ListTopics().Count);
        Assert.Equal(40, ids.Distinct().Count());
    }

    [Fact]
    public void Writes_are_atomic_and_an_interrupted_write_is_ignored()
    {
        ClusterMetadataStore store = ClusterMetadataStore.Open(_dir.Path);
        store.CreateTopic("kept", 1);
        string path = _dir.Combine(ClusterMetadataStore.FileName);
        Assert.False(File.Exists(path + ".tmp"));

        // A crash while writing the next version leaves only a partial temporary file.
        File.WriteAllText(path + ".tmp", "{\"format\":1,\"topi");
        ClusterMetadataStore reopened = ClusterMetadataStore.Open(_dir.Path);
        Assert.True(reopened.TryGetTopic("kept", out _));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void A_corrupt_file_is_refused_rather_than_treated_as_empty()
    {
        File.WriteAllText(_dir.Combine(ClusterMetadataStore.FileName), "{ not json");
        Assert.Throws<InvalidDataException>(() => ClusterMetadataStore.Open(_dir.Path));
    }
}
