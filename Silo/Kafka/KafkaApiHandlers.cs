using Microsoft.Extensions.DependencyInjection.Extensions;
using Runnel.Silo.Kafka.Handlers;
using Runnel.Silo.Kafka.Handlers.Groups;
using Runnel.Silo.Kafka.Handlers.Transactions;

namespace Runnel.Silo.Kafka;

/// <summary>Every Kafka API the silo answers; the dispatcher finds each handler by its API key.</summary>
internal static class KafkaApiHandlers
{
    public static void AddTo(IServiceCollection services)
    {
        Add<ApiVersionsHandler>(services);
        Add<MetadataHandler>(services);
        Add<ProduceHandler>(services);
        Add<FetchHandler>(services);
        Add<ListOffsetsHandler>(services);
        Add<CreateTopicsHandler>(services);
        Add<DeleteTopicsHandler>(services);
        Add<CreatePartitionsHandler>(services);
        Add<DeleteRecordsHandler>(services);
        Add<DescribeConfigsHandler>(services);
        Add<AlterConfigsHandler>(services);
        Add<IncrementalAlterConfigsHandler>(services);
        Add<InitProducerIdHandler>(services);
        Add<FindCoordinatorHandler>(services);
        Add<JoinGroupHandler>(services);
        Add<SyncGroupHandler>(services);
        Add<HeartbeatHandler>(services);
        Add<LeaveGroupHandler>(services);
        Add<OffsetCommitHandler>(services);
        Add<OffsetFetchHandler>(services);
        Add<DescribeGroupsHandler>(services);
        Add<ListGroupsHandler>(services);
        Add<DeleteGroupsHandler>(services);
        Add<OffsetDeleteHandler>(services);
        Add<DescribeClusterHandler>(services);
        services.TryAddSingleton<TransactionCoordinatorCalls>();
        Add<AddPartitionsToTxnHandler>(services);
        Add<AddOffsetsToTxnHandler>(services);
        Add<TxnOffsetCommitHandler>(services);
        Add<EndTxnHandler>(services);
    }

    private static void Add<THandler>(IServiceCollection services)
        where THandler : class, IKafkaApiHandler
        => services.TryAddEnumerable(ServiceDescriptor.Singleton<IKafkaApiHandler, THandler>());
}
