using Runnel.Grains.BlobStorage;
using Runnel.Grains.Cluster;
using Runnel.Grains.Metadata;
using Runnel.Protocol;

namespace Runnel.Grains.Tests;

public sealed class ClusterMetadataStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly IPartitionAssigner s_local = new LocalPartitionAssigner();

    private static KeyValuePair<string, string?> Set(string name, string? value) => new(name, value);

    private Task<ClusterMetadataStore> OpenAsync() => ClusterMetadataStore.OpenFileAsync(_dir.Path, CancellationToken.None);

    [Fact]
    public async Task Topics_round_trip_through_the_file()
    {
        ClusterMetadataStore store = (await OpenAsync());
        TopicOperationResult created = (await store.CreateTopicAsync("orders", 3, [Set("retention.ms", "1000")], false, s_local));
        Assert.True(created.IsSuccess);
        await store.CreateTopicAsync("clicks", 1, null, false, s_local);
        Assert.True((await store.CreatePartitionsAsync("orders", 5, false, s_local)).IsSuccess);
        Assert.True((await store.AlterTopicConfigAsync("orders", [Set("retention.bytes", "99")], false)).IsSuccess);
        Assert.True((await store.DeleteTopicAsync("clicks")).IsSuccess);

        ClusterMetadataStore reopened = (await OpenAsync());
        Assert.Equal(store.ClusterId, reopened.ClusterId);
        TopicMetadata orders = Assert.Single(reopened.ListTopics());
        Assert.Equal(("orders", created.Topic!.TopicId, 5), (orders.Name, orders.TopicId, orders.PartitionCount));
        Assert.Equal(1000, orders.Config.RetentionMs);
        Assert.Equal(99, orders.Config.RetentionBytes);
        Assert.True(reopened.TryGetTopic(created.Topic.TopicId, out TopicMetadata? byId));
        Assert.Equal("orders", byId.Name);
    }

    [Fact]
    public async Task Errors_carry_kafka_codes_and_clear_messages()
    {
        ClusterMetadataStore store = (await OpenAsync());
        await store.CreateTopicAsync("a.b", 1, null, false, s_local);
        Assert.Equal(ErrorCode.TopicAlreadyExists, (await store.CreateTopicAsync("a.b", 1, null, false, s_local)).Error);
        Assert.Equal(ErrorCode.InvalidTopicException, (await store.CreateTopicAsync("a_b", 1, null, false, s_local)).Error);
        Assert.Equal(ErrorCode.InvalidTopicException, (await store.CreateTopicAsync("..", 1, null, false, s_local)).Error);
        Assert.Equal(ErrorCode.InvalidTopicException, (await store.CreateTopicAsync("", 1, null, false, s_local)).Error);
        Assert.Equal(ErrorCode.InvalidTopicException, (await store.CreateTopicAsync(new string('x', 250), 1, null, false, s_local)).Error);
        Assert.Equal(ErrorCode.InvalidTopicException, (await store.CreateTopicAsync("spaces are bad", 1, null, false, s_local)).Error);
        Assert.True((await store.CreateTopicAsync(new string('x', 249), 1, null, false, s_local)).IsSuccess);
        Assert.Equal(ErrorCode.InvalidPartitions, (await store.CreateTopicAsync("zero", 0, null, false, s_local)).Error);
        Assert.Equal(ErrorCode.InvalidPartitions, (await store.CreatePartitionsAsync("a.b", 1, false, s_local)).Error);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await store.DeleteTopicAsync("missing")).Error);

        TopicOperationResult compact = (await store.CreateTopicAsync("compacted", 1, [Set("cleanup.policy", "compact")], false, s_local));
        Assert.Equal(ErrorCode.InvalidConfig, compact.Error);
        Assert.StartsWith("cleanup.policy=compact is not supported yet: log compaction", compact.Message, StringComparison.Ordinal);
        Assert.False(store.TryGetTopic("compacted", out _));
    }

    [Fact]
    public async Task Validate_only_changes_nothing()
    {
        ClusterMetadataStore store = (await OpenAsync());
        Assert.True((await store.CreateTopicAsync("t", 2, null, true, s_local)).IsSuccess);
        Assert.Empty(store.ListTopics());
        await store.CreateTopicAsync("t", 2, null, false, s_local);
        Assert.True((await store.CreatePartitionsAsync("t", 4, true, s_local)).IsSuccess);
        Assert.True((await store.AlterTopicConfigAsync("t", [Set("retention.ms", "5")], true)).IsSuccess);
        Assert.True((await OpenAsync()).TryGetTopic("t", out TopicMetadata? t));
        Assert.Equal((2, 604_800_000L), (t.PartitionCount, t.Config.RetentionMs));
    }

    [Fact]
    public async Task Producer_ids_are_never_reused_across_restarts()
    {
        var seen = new HashSet<long>();
        for (int restart = 0; restart < 3; restart++)
        {
            ClusterMetadataStore store = (await OpenAsync());
            for (int i = 0; i < 1500; i++)
            {
                Assert.True(seen.Add(await store.AllocateProducerIdAsync()));
            }
        }
    }

    [Fact]
    public async Task Concurrent_changes_are_all_kept()
    {
        ClusterMetadataStore store = (await OpenAsync());
        var ids = new System.Collections.Concurrent.ConcurrentBag<long>();
        await Parallel.ForAsync(0, 40, async (i, _) =>
        {
            Assert.True((await store.CreateTopicAsync($"topic-{i}", 1, null, false, s_local)).IsSuccess);
            ids.Add(await store.AllocateProducerIdAsync());
        });

        Assert.Equal(40, (await OpenAsync()).ListTopics().Count);
        Assert.Equal(40, ids.Distinct().Count());
    }

    [Fact]
    public async Task Writes_are_atomic_and_an_interrupted_write_is_ignored()
    {
        ClusterMetadataStore store = (await OpenAsync());
        await store.CreateTopicAsync("kept", 1, null, false, s_local);
        string path = _dir.Combine(ClusterMetadataStore.FileName);
        Assert.False(File.Exists(path + ".tmp"));

        // A crash while writing the next version leaves only a partial temporary file.
        await File.WriteAllTextAsync(path + ".tmp", "{\"format\":1,\"topi");
        ClusterMetadataStore reopened = (await OpenAsync());
        Assert.True(reopened.TryGetTopic("kept", out _));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public async Task A_corrupt_file_is_refused_rather_than_treated_as_empty()
    {
        File.WriteAllText(_dir.Combine(ClusterMetadataStore.FileName), "{ not json");
        await Assert.ThrowsAsync<InvalidDataException>(OpenAsync);
    }

    [Fact]
    public async Task Silos_sharing_a_blob_store_see_each_others_changes_and_lose_none()
    {
        await using var blobs = new LocalFolderBlobStore(_dir.Combine("blobs"));
        ClusterMetadataStore first = await ClusterMetadataStore.OpenSharedAsync(blobs, CancellationToken.None);
        ClusterMetadataStore second = await ClusterMetadataStore.OpenSharedAsync(blobs, CancellationToken.None);
        Assert.Equal(first.ClusterId, second.ClusterId);

        // Each store changes from its own (soon stale) snapshot: every conflict is reread and applied again.
        await Task.WhenAll(
            Task.Run(async () =>
            {
                for (int i = 0; i < 10; i++)
                {
                    Assert.True((await first.CreateTopicAsync($"a-{i}", 1, null, false, s_local)).IsSuccess);
                }
            }),
            Task.Run(async () =>
            {
                for (int i = 0; i < 10; i++)
                {
                    Assert.True((await second.CreateTopicAsync($"b-{i}", 1, null, false, s_local)).IsSuccess);
                }
            }));

        await first.RefreshAsync(CancellationToken.None);
        await second.RefreshAsync(CancellationToken.None);
        Assert.Equal(20, first.ListTopics().Count);
        Assert.Equal(first.Current.Version, second.Current.Version);
        Assert.Equal(ErrorCode.TopicAlreadyExists, (await second.CreateTopicAsync("a-3", 1, null, false, s_local)).Error);

        var ids = new HashSet<long>();
        for (int i = 0; i < 1200; i++)
        {
            Assert.True(ids.Add(await first.AllocateProducerIdAsync()));
            Assert.True(ids.Add(await second.AllocateProducerIdAsync()));
        }
    }

    [Fact]
    public async Task A_move_decided_on_an_old_epoch_is_dropped()
    {
        ClusterMetadataStore store = await OpenAsync();
        TopicMetadata topic = (await store.CreateTopicAsync("t", 2, null, false, new FixedPartitionAssigner([1, 2]))).Topic!;
        Assert.Equal(1, await store.MovePartitionsAsync([new PartitionMove("t", topic.TopicId, 0, 0, 3)]));
        Assert.Equal(0, await store.MovePartitionsAsync([new PartitionMove("t", topic.TopicId, 0, 0, 4)]));
        Assert.True((await OpenAsync()).TryGetTopic("t", out TopicMetadata? moved));
        Assert.Equal(new PartitionAssignment(3, 1), moved.Assignment(0));
        Assert.Equal(new PartitionAssignment(2, 0), moved.Assignment(1));
    }
}
