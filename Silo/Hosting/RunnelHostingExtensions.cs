using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Runnel.Grains;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.BlobStorage.Azure;
using Runnel.Grains.Cluster;
using Runnel.Grains.Groups;
using Runnel.Grains.Partitions;
using Runnel.Grains.Storage;
using Runnel.Grains.Tiering;
using Runnel.Grains.Topics;
using Runnel.Grains.Transactions;
using Runnel.Silo.Cluster;
using Runnel.Silo.Diagnostics;
using Runnel.Silo.Kafka;

namespace Runnel.Silo.Hosting;

/// <summary>
/// How a silo is composed, one area per method as Orleans composes its providers. Each area binds its options class
/// from its configuration section and validates it at start; services are added with TryAdd, so a host may put its
/// own in first.
/// </summary>
public static class RunnelHostingExtensions
{
    /// <summary>The broker's domain: topics, partitions and their logs, producer ids, consumer groups. Sections Broker and Groups.</summary>
    public static IServiceCollection AddRunnelBroker(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddValidatedOptions<BrokerOptions, BrokerOptionsValidator>(configuration.GetSection("Broker"))
            .PostConfigure(o => o.DataPath = Path.GetFullPath(o.DataPath));
        services.AddValidatedOptions<GroupCoordinatorOptions, GroupCoordinatorOptionsValidator>(configuration.GetSection("Groups"));
        services.TryAddSingleton<PartitionDirectory>();
        services.TryAddSingleton<TopicService>();
        services.TryAddSingleton<ClusterView>();
        services.TryAddSingleton<StrandedLogs>();
        services.TryAddSingleton(sp => new FileSystemSync(sp.GetRequiredService<IOptions<BrokerOptions>>().Value.DataPath));
        services.TryAddSingleton<OffsetStore>();
        services.TryAddSingleton<GroupDirectory>();
        services.TryAddSingleton<TransactionStore>();
        services.TryAddSingleton<PendingTransactionalOffsets>();
        services.AddHostedService<OffsetRetention>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, BrokerStartup>();
        return services;
    }

    /// <summary>The tiered log: the hot-segment cache, the blob store and uploads to it. Sections Tiering, BlobStore and BlobStore:Azure.</summary>
    public static IServiceCollection AddRunnelTieredStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddValidatedOptions<TieringOptions, TieringOptionsValidator>(configuration.GetSection("Tiering"))
            .PostConfigure(o => o.CacheBytes = o.CacheBytes > 0 ? o.CacheBytes : SegmentCache.DefaultBudgetBytes());
        services.AddOptions<BlobTierOptions>().Bind(configuration.GetSection("BlobStore")).ValidateOnStart()
            .PostConfigure<IOptions<BrokerOptions>>((o, broker) => o.LocalPath = o.LocalPath is { } path ? Path.GetFullPath(path) : Path.Combine(broker.Value.DataPath, "blobs"));
        services.AddValidatedOptions<AzureBlobStoreOptions, AzureBlobStoreOptionsValidator>(configuration.GetSection("BlobStore:Azure"));

        // Tiering code takes its options as values; the validated IOptions instance is the one it gets.
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<TieringOptions>>().Value);
        services.TryAddSingleton(CreateBlobStore);
        services.TryAddSingleton(sp => new SegmentCache(sp.GetRequiredService<TieringOptions>().CacheBytes));
        services.TryAddSingleton(sp => new StorageMetrics(sp.GetRequiredService<IMeterFactory>()));
        services.TryAddSingleton<TieredStorage>();
        services.TryAddSingleton<MetadataMirror>();
        services.AddHostedService(sp => sp.GetRequiredService<MetadataMirror>());
        return services;
    }

    /// <summary>The Kafka protocol listener on Kestrel and its request handlers. Section Kafka.</summary>
    public static IServiceCollection AddKafkaListener(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddValidatedOptions<KafkaListenerOptions, KafkaListenerOptionsValidator>(configuration.GetSection("Kafka"));
        // Replaces Kestrel's own 4 KiB-block pool, which the web host registered first: a TryAdd would keep theirs.
        services.Replace(ServiceDescriptor.Singleton<IMemoryPoolFactory<byte>, Transport.LargeBlockMemoryPoolFactory>());
        services.TryAddSingleton<SiloMetrics>();
        services.TryAddSingleton<RequestDispatcher>();
        services.TryAddSingleton<KafkaConnectionHandler>();
        services.TryAddSingleton<KafkaBrokers>();
        KafkaApiHandlers.AddTo(services);
        return services;
    }

    /// <summary>The HTTP listener: /health, /metrics and /groups. Section Http.</summary>
    public static IServiceCollection AddAdminHttp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddValidatedOptions<AdminHttpOptions, AdminHttpOptionsValidator>(configuration.GetSection("Http"));
        services.AddHealthChecks();
        return services;
    }

    /// <summary>Binds both listeners, from their validated options, on Kestrel.</summary>
    public static void ListenForRunnel(this Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        KafkaListenerOptions kafka = kestrel.ApplicationServices.GetRequiredService<IOptions<KafkaListenerOptions>>().Value;
        AdminHttpOptions http = kestrel.ApplicationServices.GetRequiredService<IOptions<AdminHttpOptions>>().Value;
        kestrel.Listen(IPAddress.Parse(kafka.Host), kafka.Port, listen => listen.UseConnectionHandler<KafkaConnectionHandler>());
        kestrel.Listen(IPAddress.Parse(http.Host), http.Port);
        kestrel.AddServerHeader = false;
    }

    /// <summary>
    /// Orleans clustering from <see cref="ClusteringOptions"/> (section Clustering): localhost clustering for one silo,
    /// or a membership table several silos share, with the cluster's metadata then kept in the shared blob store,
    /// partitions placed on their leaders and a controller failing them over.
    /// </summary>
    public static ISiloBuilder UseRunnelClustering(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        IServiceCollection services = silo.Services;
        services.AddValidatedOptions<ClusteringOptions, ClusteringOptionsValidator>(configuration.GetSection("Clustering"));
        services.AddOptions<EndpointOptions>().Configure<IOptions<ClusteringOptions>>((endpoint, clustering) =>
        {
            endpoint.AdvertisedIPAddress = IPAddress.Parse(clustering.Value.SiloHost);
            endpoint.SiloPort = clustering.Value.SiloPort;
            endpoint.GatewayPort = clustering.Value.GatewayPort;
        });
        services.AddOptions<ClusterOptions>().Configure<IOptions<ClusteringOptions>>((cluster, clustering) =>
        {
            cluster.ClusterId = clustering.Value.ClusterId;
            cluster.ServiceId = clustering.Value.ServiceId;
        });
        services.AddOptions<SiloOptions>().Configure<IOptions<BrokerOptions>>((o, broker) => o.SiloName = $"node-{broker.Value.NodeId}");
        services.AddPlacementDirector<LeaderPlacement, LeaderPlacementDirector>();

        // The provider decides which services exist, so it is read here; the rest binds through IOptions as usual.
        ClusteringOptions chosen = configuration.GetSection("Clustering").Get<ClusteringOptions>() ?? new ClusteringOptions();
        if (chosen.Provider == ClusteringProvider.Localhost)
        {
            silo.UseDevelopmentClustering(membership => membership.Configure<IOptions<ClusteringOptions>>((o, clustering) =>
                o.PrimarySiloEndpoint = new IPEndPoint(IPAddress.Parse(clustering.Value.SiloHost), clustering.Value.SiloPort)));
            services.TryAddSingleton<IClusterNodes>(sp => new LocalClusterNodes(sp.GetRequiredService<IOptions<BrokerOptions>>().Value.NodeId));
            services.TryAddSingleton<IPartitionAssigner, LocalPartitionAssigner>();
            return silo;
        }

        silo.UseAzureStorageClustering(table => table.Configure<IOptions<ClusteringOptions>>((o, clustering) =>
            o.TableServiceClient = new Azure.Data.Tables.TableServiceClient(clustering.Value.ConnectionString)));
        services.AddOptions<ClusterMembershipOptions>().Configure<IOptions<ClusteringOptions>>((membership, clustering) =>
        {
            membership.ProbeTimeout = clustering.Value.ProbeTimeout;
            membership.NumMissedProbesLimit = clustering.Value.MissedProbesLimit;
            membership.NumVotesForDeathDeclaration = clustering.Value.VotesForDeath;
            membership.TableRefreshTimeout = clustering.Value.TableRefreshTimeout;
        });
        services.PostConfigure<BrokerOptions>(o => o.SharedMetadata = true);
        services.TryAddSingleton<IClusterNodes, MembershipClusterNodes>();
        services.TryAddSingleton<IPartitionAssigner, SpreadPartitionAssigner>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, BrokerRegistrar>();
        services.AddHostedService<ClusterReconciler>();
        return silo;
    }

    /// <summary>The store <see cref="BlobTierOptions.Kind"/> names; Grains knows only IBlobStore, so the choice is the host's.</summary>
    private static IBlobStore CreateBlobStore(IServiceProvider services)
    {
        BlobTierOptions tier = services.GetRequiredService<IOptions<BlobTierOptions>>().Value;
        IMeterFactory meters = services.GetRequiredService<IMeterFactory>();
        return tier.Kind == BlobStoreKind.Azure
            ? new AzureBlobStore(services.GetRequiredService<IOptions<AzureBlobStoreOptions>>().Value, services.GetRequiredService<ILogger<AzureBlobStore>>(), meters)
            : new LocalFolderBlobStore(tier.LocalPath!, new LocalFolderBlobStoreOptions(), services.GetRequiredService<ILogger<LocalFolderBlobStore>>(), meters);
    }

    private static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, IConfiguration section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return services.AddOptions<TOptions>().Bind(section).ValidateOnStart();
    }
}
