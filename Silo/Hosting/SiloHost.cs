using System.Net;
using Microsoft.AspNetCore.Connections;
using Runnel.Grains;
using Runnel.Grains.Groups;
using Runnel.Grains.Partitions;
using Runnel.Grains.Metadata;
using Runnel.Grains.Topics;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.Storage;
using Runnel.Grains.Tiering;
using Runnel.Silo.Diagnostics;
using Runnel.Silo.Kafka;
using Runnel.Silo.Kafka.Handlers;
using Runnel.Silo.Kafka.Handlers.Groups;
using Runnel.Silo.Runtime;

namespace Runnel.Silo.Hosting;

/// <summary>
/// Wires one silo: Kestrel with the Kafka listener and the admin HTTP endpoints, the grain runtime and the
/// broker services. Prints a line starting with "ready" once both listeners accept connections.
/// </summary>
public sealed class SiloHost : IAsyncDisposable
{
    /// <summary>The runtime's own meter (GC pauses and collections, thread pool, JIT), exported beside ours.</summary>
    public const string RuntimeMeterName = "System.Runtime";

    private readonly WebApplication _app;
    private readonly SiloOptions _options;

    private SiloHost(WebApplication app, SiloOptions options)
    {
        _app = app;
        _options = options;
    }

    public static SiloHost Build(SiloOptions options)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            // No appsettings reload: its file watcher covers the content root recursively, and with the data folder
            // under the working directory it woke up on every segment write.
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);

        IPAddress address = IPAddress.Parse(options.Host);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, options.Port, listen => listen.UseConnectionHandler<KafkaConnectionHandler>());
            kestrel.Listen(address, options.HttpPort);
            kestrel.AddServerHeader = false;
        });

        IServiceCollection services = builder.Services;
        services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>, Transport.LargeBlockMemoryPoolFactory>();
        services.AddSingleton(options);
        services.AddMetrics();
        services.AddSingleton<SiloMetrics>();
        services.AddSingleton(_ => new PrometheusExporter(SiloMetrics.MeterName, BlobStoreMetrics.MeterName, StorageMetrics.MeterName, RuntimeMeterName));
        services.Configure<GrainRuntimeOptions>(_ => { });
        services.AddGrainRuntime(grains =>
        {
            grains.Register<IPartitionGrain>("partition", (sp, key) => ActivatorUtilities.CreateInstance<PartitionGrain>(sp));
            grains.Register<ITopicGrain>("topic", (sp, key) => ActivatorUtilities.CreateInstance<TopicGrain>(sp));
            grains.Register<IGroupGrain>("group", (sp, key) => ActivatorUtilities.CreateInstance<GroupGrain>(sp));
        });
        services.AddSingleton(sp => BrokerSettings(options));
        services.AddSingleton(options.ToTieringOptions());
        services.AddBlobTier(options);
        services.AddSingleton(sp => new SegmentCache(sp.GetRequiredService<TieringOptions>().CacheBytes));
        services.AddSingleton(sp => new StorageMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<MetadataMirror>();
        services.AddHostedService(sp => sp.GetRequiredService<MetadataMirror>());
        services.AddSingleton<TieredStorage>();
        services.AddSingleton<PartitionDirectory>();
        services.AddSingleton<TopicService>();
        services.AddSingleton<RequestDispatcher>();
        services.AddSingleton<IKafkaApiHandler, ApiVersionsHandler>();
        services.AddSingleton<IKafkaApiHandler, MetadataHandler>();
        services.AddSingleton<IKafkaApiHandler, ProduceHandler>();
        services.AddSingleton<IKafkaApiHandler, FetchHandler>();
        services.AddSingleton<IKafkaApiHandler, ListOffsetsHandler>();
        services.AddSingleton<IKafkaApiHandler, CreateTopicsHandler>();
        services.AddSingleton<IKafkaApiHandler, DeleteTopicsHandler>();
        services.AddSingleton<IKafkaApiHandler, CreatePartitionsHandler>();
        services.AddSingleton<IKafkaApiHandler, DeleteRecordsHandler>();
        services.AddSingleton<IKafkaApiHandler, DescribeConfigsHandler>();
        services.AddSingleton<IKafkaApiHandler, AlterConfigsHandler>();
        services.AddSingleton<IKafkaApiHandler, IncrementalAlterConfigsHandler>();
        services.AddSingleton<IKafkaApiHandler, InitProducerIdHandler>();
        services.AddSingleton<IKafkaApiHandler, FindCoordinatorHandler>();
        services.AddSingleton(options.Groups);
        services.AddSingleton<OffsetStore>();
        services.AddSingleton<GroupDirectory>();
        services.AddHostedService<OffsetStoreLoader>();
        services.AddHostedService<OffsetRetention>();
        services.AddSingleton<IKafkaApiHandler, JoinGroupHandler>();
        services.AddSingleton<IKafkaApiHandler, SyncGroupHandler>();
        services.AddSingleton<IKafkaApiHandler, HeartbeatHandler>();
        services.AddSingleton<IKafkaApiHandler, LeaveGroupHandler>();
        services.AddSingleton<IKafkaApiHandler, OffsetCommitHandler>();
        services.AddSingleton<IKafkaApiHandler, OffsetFetchHandler>();
        services.AddSingleton<IKafkaApiHandler, DescribeGroupsHandler>();
        services.AddSingleton<IKafkaApiHandler, ListGroupsHandler>();
        services.AddSingleton<IKafkaApiHandler, DeleteGroupsHandler>();
        services.AddSingleton<IKafkaApiHandler, OffsetDeleteHandler>();
        services.AddSingleton<KafkaConnectionHandler>();
        services.AddHealthChecks();

        WebApplication app = builder.Build();
        AdminEndpoints.Map(app);
        GroupEndpoints.Map(app);
        return new SiloHost(app, options);
    }

    private static BrokerSettings BrokerSettings(SiloOptions options) => new()
    {
        DataPath = Path.GetFullPath(options.DataPath),
        FlushIntervalMs = options.FlushIntervalMs,
        RetentionCheckInterval = TimeSpan.FromMilliseconds(options.RetentionCheckIntervalMs),
    };

    public async Task RunAsync()
    {
        // Open the metadata before listening so the first request already sees every topic.
        await _app.Services.GetRequiredService<MetadataMirror>().RestoreIfMissingAsync(CancellationToken.None).ConfigureAwait(false); // empty data folder: topics from the blob store
        _app.Services.GetRequiredService<TopicService>().Open();

        // The exporter listens before the instruments are made, so their first (zero) values are seen.
        _ = _app.Services.GetRequiredService<PrometheusExporter>();
        _ = _app.Services.GetRequiredService<TieredStorage>(); // publishes the tier gauges before the first partition opens
        SiloMetrics metrics = _app.Services.GetRequiredService<SiloMetrics>();
        PartitionDirectory partitions = _app.Services.GetRequiredService<PartitionDirectory>();
        metrics.ObserveGauge("runnel.partitions", "{partition}", "Partitions with an open log on this silo.", () => partitions.Count);
        await _app.StartAsync().ConfigureAwait(false);
        Console.WriteLine($"ready kafka={_options.Host}:{_options.Port} http={_options.Host}:{_options.HttpPort} data={Path.GetFullPath(_options.DataPath)}");
        await _app.WaitForShutdownAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync().ConfigureAwait(false);
}
