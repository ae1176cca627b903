using BenchmarkDotNet.Attributes;
using Runnel.Grains.Storage;

namespace Runnel.MicroBenchmarks;

/// <summary>
/// PartitionLog.Append of one produced batch on a temporary folder: copy into the segment's memory, offset stamp,
/// one write(2) to the segment file, index update, publish. Each iteration starts on a fresh log so the folder
/// stays small.
/// </summary>
[MemoryDiagnoser]
public class AppendBenchmarks
{
    private const int AppendsPerIteration = 2048;
    private byte[] _batch = [];
    private string _directory = string.Empty;
    private PartitionLog? _log;

    [Params(100, 1024)]
    public int RecordSize { get; set; }

    [GlobalSetup]
    public void Setup() => _batch = Batches.Build(16 * 1024 / (RecordSize + 10), RecordSize);

    [IterationSetup]
    public void Open()
    {
        _directory = Path.Combine(Path.GetTempPath(), "runnel-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _log = PartitionLog.Open(_directory, LogOptions.Default);
    }

    [IterationCleanup]
    public void Close()
    {
        _log?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = AppendsPerIteration)]
    [InvocationCount(1)]
    public long Append()
    {
        long last = 0;
        for (int i = 0; i < AppendsPerIteration; i++)
        {
            last = _log!.Append(_batch, 0).BaseOffset;
        }

        return last;
    }
}
