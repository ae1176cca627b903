using Runnel.Client.Admin;
using Runnel.Client.Consumer;
using Runnel.Client.Producer;
using Runnel.Protocol;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Client.Tests;

/// <summary>The admin calls that change groups from outside (offsets, deletion) and describe the cluster, on a real silo.</summary>
public sealed class GroupAdminTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private SiloProcess Silo => fixture.Silo;

    [Fact]
    public async Task Offsets_of_an_empty_group_are_altered_and_the_group_deleted_but_not_while_it_has_members()
    {
        string topic = TestData.UniqueTopic("group-admin");
        string group = "g-" + topic;
        await using var admin = new KafkaAdminClient(TestHelpers.Producer(Silo));
        await admin.CreateTopicsAsync([new TopicSpecification(topic, 2)]);
        await using (var producer = new KafkaProducer<string, string>(TestHelpers.Producer(Silo)))
        {
            for (int i = 0; i < 10; i++)
            {
                await producer.EnqueueAsync(new ProducerRecord<string, string>(topic, null!, $"v{i}") { Partition = i % 2 });
            }

            await producer.FlushAsync();
        }

        var member = new KafkaConsumer<string, string>(TestHelpers.Consumer(Silo, group));
        member.Subscribe([topic]);
        await TestHelpers.TakeAsync(member, 10);
        await member.CommitAsync();

        var whileMember = await Assert.ThrowsAsync<KafkaException>(() => admin.AlterGroupOffsetsAsync(group, [new TopicPartitionOffset(topic, 0, 1)]));
        Assert.False(whileMember.IsRetriable);
        var deleteWhileMember = await Assert.ThrowsAsync<KafkaException>(() => admin.DeleteGroupsAsync([group]));
        Assert.Equal(ErrorCode.NonEmptyGroup, deleteWhileMember.ErrorCode);
        Assert.Equal(5, (await admin.ListGroupOffsetsAsync(group))[new TopicPartition(topic, 0)]);

        await member.DisposeAsync(); // leaves the group
        await admin.AlterGroupOffsetsAsync(group, [new TopicPartitionOffset(topic, 0, 1), new TopicPartitionOffset(topic, 1, 3)]);
        IReadOnlyDictionary<TopicPartition, long> committed = await admin.ListGroupOffsetsAsync(group);
        Assert.Equal(1, committed[new TopicPartition(topic, 0)]);
        Assert.Equal(3, committed[new TopicPartition(topic, 1)]);

        await admin.DeleteGroupsAsync([group]);
        Assert.DoesNotContain(await admin.ListGroupsAsync(), g => g.GroupId == group);
        var again = await Assert.ThrowsAsync<KafkaException>(() => admin.DeleteGroupsAsync([group]));
        Assert.Equal(ErrorCode.GroupIdNotFound, again.ErrorCode);
    }

    [Fact]
    public async Task The_cluster_is_described_with_its_one_broker_as_its_controller()
    {
        await using var admin = new KafkaAdminClient(TestHelpers.Producer(Silo));
        ClusterDescription cluster = await admin.DescribeClusterAsync();
        BrokerDescription broker = Assert.Single(cluster.Brokers);
        Assert.Equal(Silo.KafkaPort, broker.Port);
        Assert.Equal(broker.NodeId, cluster.ControllerId);
        Assert.False(string.IsNullOrEmpty(cluster.ClusterId));
    }
}
