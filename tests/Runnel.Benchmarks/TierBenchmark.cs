using System.Diagnostics;
using System.Globalization;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.BlobStorage.Azure;
using Runnel.Grains.Tiering;

namespace Runnel.Benchmarks;

/// <summary>
/// Consume throughput per tier, side by side: the same records read by kcat from memory (hot), from local segment
/// files evicted from memory (local), from the local-folder blob store and from Azurite (remote), in MB/s of record
/// values. Needs a built silo, kcat, python3 with confluent-kafka and Azurite (tests/interop/azure).
/// </summary>
internal sealed class TierBenchmark
{
    private readonly int _records;
    private readonly string _root;
    private readonly string _work;
    private readonly string _silo;
    private readonly string _input;

    private TierBenchmark(int records, string root, string work, string silo, string input)
    {
        _records = records;
        _root = root;
        _work = work;
        _silo = silo;
        _input = input;
    }

    public static async Task<int> RunAsync(int records, int valueBytes)
    {
        string root = FindRoot();
        string work = Path.Combine(Path.GetTempPath(), "runnel-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        string silo = SiloDll(root);
        string input = Path.Combine(work, "records.txt");
        await WriteRecordsAsync(input, records, valueBytes);
        double payloadMb = (double)records * valueBytes / 1_000_000;
        Console.WriteLine($"{records} records of {valueBytes} value bytes ({payloadMb:F1} MB of values), kcat consumer, silo {silo}");

        var benchmark = new TierBenchmark(records, root, work, silo, input);
        var results = new List<(string Tier, double Seconds)>();
        try
        {
            int azuritePort = BenchmarkProcess.FreePort();
            string azuriteMain = Path.Combine(root, "tests", "interop", "azure", "node_modules", "azurite", "dist", "src", "blob", "main.js");
            using var azurite = new BenchmarkProcess("node", [azuriteMain, "--blobHost", "127.0.0.1", "--blobPort", azuritePort.ToString(CultureInfo.InvariantCulture), "--location", Path.Combine(work, "azurite"), "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry"], readyLinePrefix: null);
            // Azurite's documented development account (public, the same on every machine).
            string azure = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:{azuritePort}/devstoreaccount1;";
            await Task.Delay(2000);

            // hot: default cache budget, everything stays in memory.
            results.Add(("hot (memory)", await benchmark.RunTierAsync("hot", ["--blob-path", Path.Combine(work, "blobs-hot")], new LocalFolderBlobStore(Path.Combine(work, "blobs-hot")), localRetention: "-1")));

            // local: 1-byte cache, local files kept: reads are ranged reads of the segment files.
            results.Add(("local file (evicted)", await benchmark.RunTierAsync("local", ["--cache-bytes", "1", "--blob-path", Path.Combine(work, "blobs-local")], new LocalFolderBlobStore(Path.Combine(work, "blobs-local")), localRetention: "-1")));

            // remote, local folder: 1-byte cache, local files dropped once uploaded.
            results.Add(("remote: local-folder blobs", await benchmark.RunTierAsync("folder", ["--cache-bytes", "1", "--blob-path", Path.Combine(work, "blobs-folder")], new LocalFolderBlobStore(Path.Combine(work, "blobs-folder")), localRetention: "0")));

            // remote, Azurite.
            IBlobStore azureStore = new AzureBlobStore(new AzureBlobStoreOptions { ConnectionString = azure, Container = "bench" });
            results.Add(("remote: Azurite", await benchmark.RunTierAsync("azure", ["--cache-bytes", "1", "--blob-store", "azure", "--blob-connection-string", azure, "--blob-container", "bench"], azureStore, localRetention: "0")));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        Console.WriteLine();
        Console.WriteLine($"{"tier",-28} {"seconds",8} {"MB/s",8} {"records/s",10}");
        foreach ((string tier, double seconds) in results)
        {
            Console.WriteLine($"{tier,-28} {seconds,8:F2} {payloadMb / seconds,8:F1} {records / seconds,10:F0}");
        }

        return 0;
    }

    private async Task<double> RunTierAsync(string name, string[] extra, IBlobStore store, string localRetention)
    {
        int port = BenchmarkProcess.FreePort();
        int httpPort = BenchmarkProcess.FreePort();
        int siloPort = BenchmarkProcess.FreePort();
        string data = Path.Combine(_work, "data-" + name);
        using var process = new BenchmarkProcess("dotnet", [_silo, "--port", port.ToString(CultureInfo.InvariantCulture), "--http-port", httpPort.ToString(CultureInfo.InvariantCulture), "--silo-port", siloPort.ToString(CultureInfo.InvariantCulture), "--gateway-port", "0", "--data", data, "--tier-interval-ms", "200", .. extra], "ready");
        await process.WaitReadyAsync(TimeSpan.FromSeconds(60));
        string bootstrap = $"127.0.0.1:{port}";
        string topic = "bench-" + name;
        await Shell($"kcat -b {bootstrap} -L -t {topic} -m 10 >/dev/null"); // auto-creates the topic
        await Shell($"/usr/bin/python3 {Path.Combine(_root, "tests", "interop", "python", "confluent_client.py")} alter --bootstrap {bootstrap} --topic {topic} --set segment.bytes=8388608 --set segment.ms=2000 --set local.retention.bytes={localRetention} >/dev/null");
        await Shell($"kcat -P -b {bootstrap} -t {topic} -p 0 -X linger.ms=20 -X batch.num.messages=1000 -X queue.buffering.max.kbytes=1048576 < {_input}");

        // Bounded wait until the manifest covers every record (segment.ms seals the tail), then one more tick for local retention and eviction.
        var clock = Stopwatch.StartNew();
        while ((await ManifestEndAsync(store)) < _records)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"{name}: tiering did not finish within 5 minutes");
            }

            await Task.Delay(250);
        }

        await Task.Delay(1500);
        var timer = Stopwatch.StartNew();
        await Shell($"kcat -C -b {bootstrap} -t {topic} -p 0 -o beginning -e -q -f '%s\\n' >/dev/null");
        double seconds = timer.Elapsed.TotalSeconds;
        Console.WriteLine($"{name}: {seconds:F2} s");
        await store.DisposeAsync();
        return seconds;
    }

    private static async Task Shell(string command)
    {
        (int exitCode, string stderr) = await BenchmarkProcess.ShellAsync(command, TimeSpan.FromMinutes(5));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"'{command}' exited with {exitCode}: {stderr}");
        }
    }

    private static async Task<long> ManifestEndAsync(IBlobStore store)
    {
        await foreach (BlobItem item in store.ListAsync("topics/", CancellationToken.None))
        {
            if (item.Name.EndsWith("/0/" + TierBlobNames.ManifestFileName, StringComparison.Ordinal))
            {
                BlobContent? content = await store.GetAsync(item.Name, CancellationToken.None);
                return content is null ? 0 : TierManifest.Parse(content.Content.Span).EndOffset;
            }
        }

        return 0;
    }

    private static async Task WriteRecordsAsync(string path, int count, int valueBytes)
    {
        await using var writer = new StreamWriter(path);
        string filler = new('x', Math.Max(0, valueBytes - 12));
        for (int i = 0; i < count; i++)
        {
            await writer.WriteLineAsync($"{i:D12}{filler}");
        }
    }

    private static string SiloDll(string root)
    {
        foreach (string configuration in new[] { "Release", "Debug" })
        {
            string candidate = Path.Combine(root, "Silo", "bin", configuration, "net10.0", "Runnel.Silo.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("Build the silo first: dotnet build Silo -c Release");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Runnel.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Runnel.slnx not found above " + AppContext.BaseDirectory);
    }
}
