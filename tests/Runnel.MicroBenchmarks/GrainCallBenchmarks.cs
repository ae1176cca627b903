using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Runnel.MicroBenchmarks;

/// <summary>
/// One awaited local grain call carrying a 64 KiB batch, from outside the grain (as the Kafka listener calls the
/// partition grain): the fixed cost Orleans adds to every Produce request. With the batch [Immutable] it crosses the
/// call as it is; without, Orleans' copier copies it on every call.
/// </summary>
[MemoryDiagnoser]
public class GrainCallBenchmarks
{
    private ReadOnlyMemory<byte> _batch;
    private IHost? _host;
    private IBatchProbeGrain? _grain;

    [GlobalSetup]
    public void Start()
    {
        _batch = new byte[64 * 1024];
        _host = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
            .UseOrleans(silo => silo.UseLocalhostClustering(FreePort(), 0))
            .Build();
        _host.Start();
        _grain = _host.Services.GetRequiredService<IGrainFactory>().GetGrain<IBatchProbeGrain>("probe");
        _grain.TakeAsync(_batch).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Stop()
    {
        _host?.StopAsync().GetAwaiter().GetResult();
        _host?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<int> Immutable64KiB() => _grain!.TakeAsync(_batch);

    [Benchmark]
    public Task<int> Copied64KiB() => _grain!.TakeCopiedAsync(_batch);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[Alias("runnel.bench.batch-probe")]
public interface IBatchProbeGrain : IGrainWithStringKey
{
    [Alias("take")]
    Task<int> TakeAsync([Immutable] ReadOnlyMemory<byte> batch);

    [Alias("take-copied")]
    Task<int> TakeCopiedAsync(ReadOnlyMemory<byte> batch);
}

public sealed class BatchProbeGrain : Grain, IBatchProbeGrain
{
    private long _bytes;

    public Task<int> TakeAsync(ReadOnlyMemory<byte> batch) => Take(batch);

    public Task<int> TakeCopiedAsync(ReadOnlyMemory<byte> batch) => Take(batch);

    private Task<int> Take(ReadOnlyMemory<byte> batch)
    {
        _bytes += batch.Span[^1] + batch.Length;
        return Task.FromResult(batch.Length);
    }
}
