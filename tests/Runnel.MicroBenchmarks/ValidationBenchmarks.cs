using BenchmarkDotNet.Attributes;
using Runnel.Records;

namespace Runnel.MicroBenchmarks;

/// <summary>
/// RecordBatchValidator on a produced batch: framing of every record and the CRC-32C of the batch, done by the
/// Produce handler off the partition's turn. Per-record work, no allocation.
/// </summary>
[MemoryDiagnoser]
public class ValidationBenchmarks
{
    private byte[] _batch = [];

    [Params(100, 1024)]
    public int RecordSize { get; set; }

    [Params(160, 1000)]
    public int Records { get; set; }

    [GlobalSetup]
    public void Setup() => _batch = Batches.Build(Records, RecordSize);

    [Benchmark]
    public bool Validate() => RecordBatchValidator.Validate(_batch).IsValid;
}
