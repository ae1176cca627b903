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

namespace Runnel.Silo.Hosting;

/// <summary>
/// Wires one silo: the Orleans silo that hosts the grains, Kestrel with the Kafka listener and the admin HTTP
/// endpoints, and the broker services. Prints a line starting with "ready" once both listeners accept connections.
/// </summary>
public sealed class SiloHost : IAsyncDisposable
{
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
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Orleans.Runtime.Silo", LogLevel.Error); // its start-up notes recommend server GC, which this silo turns off on purpose
        builder.Logging.AddFilter("Polly", LogLevel.Warning); // Orleans' placement retries log every attempt at Information

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
        services.AddRunnelTelemetry(builder.Configuration);

        // Registered before every service that calls grains: hosted services start in order, and the silo must be
        // running before the first grain call.
        builder.UseOrleans(silo => silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId));
        services.AddSingleton(sp => BrokerSettings(options));
        services.AddSingleton(options.ToTieringOptions());
        services.AddSingleton(sp => BlobStoreFactory.Create(options.ToBlobStoreOptions(), sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
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
        // The meters are listened to before the first blob request, so start-up's requests are counted too.
        _ = _app.Services.GetRequiredService<OpenTelemetry.Metrics.MeterProvider>();

        // Open the metadata before listening so the first request already sees every topic.
        await _app.Services.GetRequiredService<MetadataMirror>().RestoreIfMissingAsync(CancellationToken.None).ConfigureAwait(false); // empty data folder: topics from the blob store
        _app.Services.GetRequiredService<TopicService>().Open();

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
