using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Protocol;

/// <summary>
/// KIP-430 authorized operations on a real silo: raw Metadata and DescribeCluster at the versions that carry the
/// fields, and Confluent.Kafka 2.16's DescribeTopics. Without authorization, every operation of the resource type.
/// </summary>
public sealed class AuthorizedOperationsTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    // Kafka's ACL operation codes: READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9,
    // DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12.
    private const int TopicOperations = 0b_1101_1111_1000;
    private const int ClusterOperations = 0b_1_1111_1010_0000;

    private readonly SiloProcess _silo = fixture.Silo;

    [Theory]
    [InlineData(8)]
    [InlineData(10)]
    [InlineData(12)]
    public async Task Metadata_answers_topic_and_cluster_operations_only_when_asked(short version)
    {
        string topic = TestData.UniqueTopic("authz");
        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await connection.CreateTopicOrFailAsync(topic);

        MetadataResponse asked = await MetadataAsync(connection, version, topic, include: true);
        Assert.Equal(TopicOperations, Assert.Single(asked.Topics).TopicAuthorizedOperations);
        // The cluster field exists in v8-v10 only; from v11 DescribeCluster carries it.
        Assert.Equal(version <= 10 ? ClusterOperations : int.MinValue, asked.ClusterAuthorizedOperations);

        MetadataResponse notAsked = await MetadataAsync(connection, version, topic, include: false);
        Assert.Equal((int.MinValue, int.MinValue), (Assert.Single(notAsked.Topics).TopicAuthorizedOperations, notAsked.ClusterAuthorizedOperations));
    }

    [Theory]
    [InlineData(true, ClusterOperations)]
    [InlineData(false, int.MinValue)]
    public async Task DescribeCluster_answers_cluster_operations_when_asked(bool include, int expected)
    {
        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        var response = await GeneratedMessageClient.SendAsync<DescribeClusterResponse>(
            connection, ApiKey.DescribeCluster, 1, new DescribeClusterRequest { IncludeClusterAuthorizedOperations = include, EndpointType = 1 });
        Assert.Equal((0, expected), (response.ErrorCode, response.ClusterAuthorizedOperations));
    }

    [Fact]
    public async Task Confluent_DescribeTopics_lists_every_topic_operation()
    {
        string topic = TestData.UniqueTopic("authz-cdn");
        using IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _silo.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]);

        DescribeTopicsResult described = await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic]), new DescribeTopicsOptions { IncludeAuthorizedOperations = true });

        List<AclOperation> operations = Assert.Single(described.TopicDescriptions).AuthorizedOperations;
        Assert.Equal(
            [AclOperation.Read, AclOperation.Write, AclOperation.Create, AclOperation.Delete, AclOperation.Alter, AclOperation.Describe, AclOperation.DescribeConfigs, AclOperation.AlterConfigs],
            operations.Order());
    }

    private static Task<MetadataResponse> MetadataAsync(RawKafkaConnection connection, short version, string topic, bool include)
    {
        var request = new MetadataRequest
        {
            Topics = [new() { Name = topic }],
            AllowAutoTopicCreation = false,
            IncludeClusterAuthorizedOperations = include && version <= 10,
            IncludeTopicAuthorizedOperations = include,
        };
        return GeneratedMessageClient.SendAsync<MetadataResponse>(connection, ApiKey.Metadata, version, request);
    }
}
