using Microsoft.Extensions.Options;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.Partitions;
using Runnel.Grains.Storage;
using Runnel.Silo.Diagnostics;
using Runnel.Silo.Kafka;

namespace Runnel.Silo.Hosting;

/// <summary>
/// One silo: the Orleans silo that hosts the grains, Kestrel with the Kafka listener and the admin HTTP endpoints,
/// and the broker's services, composed from a configuration (see <see cref="CommandLine.SiloCommandLine"/>).
/// Prints a line starting with "ready" once both listeners accept connections.
/// </summary>
public sealed partial class SiloHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SiloHost(WebApplication app) => _app = app;

    /// <summary>The composed services, for tests that check what the host registered.</summary>
    internal IServiceProvider Services => _app.Services;

    /// <exception cref="SiloStartupException">A setting was refused; the message is one line for the user.</exception>
    public static SiloHost Build(IReadOnlyDictionary<string, string?> settings)
    {
        try
        {
            return Compose(settings);
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException or ArgumentException or FormatException)
        {
            // Composing binds the options that choose services (the clustering provider) and building resolves the
            // listeners' handlers with theirs: a value they refuse stops the silo here, as one line.
            throw new SiloStartupException(StartupFailure.Describe(ex), ex);
        }
    }

    private static SiloHost Compose(IReadOnlyDictionary<string, string?> settings)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            // No appsettings reload: its file watcher covers the content root recursively, and with the data folder
            // under the working directory it woke up on every segment write.
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });

        // The silo's own settings (the command line and RUNNEL_* variables, already checked by the parser) and the
        // standard OTEL_* variables OpenTelemetry reads; no appsettings file, no other variables.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(OpenTelemetryVariables());
        builder.Configuration.AddInMemoryCollection(settings);
        ConfigureLogging(builder.Logging);

        IServiceCollection services = builder.Services;
        services.AddMetrics();
        services.AddRunnelTelemetry(builder.Configuration);

        // Before every service that calls grains: hosted services start in order, and the silo must run first.
        builder.UseOrleans(silo => silo.UseRunnelClustering(builder.Configuration));
        services.AddRunnelBroker(builder.Configuration);
        services.AddRunnelTieredStorage(builder.Configuration);
        services.AddKafkaListener(builder.Configuration);
        services.AddAdminHttp(builder.Configuration);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenForRunnel());

        WebApplication app = builder.Build();
        AdminEndpoints.Map(app);
        GroupEndpoints.Map(app);
        ClusterEndpoints.Map(app);
        return new SiloHost(app);
    }

    /// <summary>Starts the silo and runs until it is stopped (SIGTERM, Ctrl+C).</summary>
    /// <exception cref="SiloStartupException">The silo could not start; the message is one line for the user.</exception>
    public async Task RunAsync()
    {
        ILogger logger = _app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Runnel.Silo");
        try
        {
            EffectiveOptions.Log(_app.Services, logger);

            // The meters are listened to before the first blob request, so start-up's requests are counted too.
            _ = _app.Services.GetRequiredService<OpenTelemetry.Metrics.MeterProvider>();
            _ = _app.Services.GetRequiredService<Grains.Tiering.TieredStorage>(); // publishes the tier gauges before the first partition opens
            PartitionDirectory partitions = _app.Services.GetRequiredService<PartitionDirectory>();
            _app.Services.GetRequiredService<SiloMetrics>().ObserveGauge("runnel.partitions", "{partition}", "Partitions with an open log on this silo.", () => partitions.Count);
            OrleansPorts.EnsureFree(_app.Services.GetRequiredService<IOptions<ClusteringOptions>>().Value);
            await _app.StartAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // What did start (the Orleans silo, background services) stops before the host is disposed under it.
            await StopQuietlyAsync().ConfigureAwait(false);
            throw new SiloStartupException(StartupFailure.Describe(ex), ex);
        }

        KafkaListenerOptions kafka = _app.Services.GetRequiredService<IOptions<KafkaListenerOptions>>().Value;
        AdminHttpOptions http = _app.Services.GetRequiredService<IOptions<AdminHttpOptions>>().Value;
        string data = _app.Services.GetRequiredService<IOptions<Grains.BrokerOptions>>().Value.DataPath;
        Console.WriteLine($"ready kafka={kafka.Host}:{kafka.Port} http={http.Host}:{http.Port} data={data}");
        await _app.WaitForShutdownAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync().ConfigureAwait(false);

    private async Task StopQuietlyAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or AggregateException)
        {
            // The start failure is what gets reported; a stop that could not finish adds nothing for the user.
        }
    }

    private static Dictionary<string, string?> OpenTelemetryVariables()
    {
        var variables = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && name.StartsWith("OTEL_", StringComparison.OrdinalIgnoreCase))
            {
                variables[name] = entry.Value as string;
            }
        }

        return variables;
    }

    private static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);

        // The generic host logs a failed start with its stack trace; the silo reports it as one line instead.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        logging.AddFilter("Orleans", LogLevel.Warning);
        logging.AddFilter("Orleans.Runtime.Silo", LogLevel.Error); // its start-up notes recommend server GC, which this silo turns off on purpose
        logging.AddFilter("Polly", LogLevel.Warning); // Orleans' placement retries log every attempt at Information
    }
}
