using System.Text;
using BenchmarkDotNet.Attributes;
using Runnel.Records;

namespace Runnel.MicroBenchmarks;

/// <summary>
/// Kafka's codecs on one batch's records region, as a producer seals a batch and a consumer (or, later, the silo
/// recompressing per topic) reads one: about 100 KiB of JSON-like event records, compressed at each codec's default
/// level into a reused pooled buffer and decompressed into a pooled one. Per batch, so the allocations reported
/// are the libraries' own per-call state, not the output.
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private readonly PooledByteBuffer _output = new();
    private byte[] _records = [];
    private byte[] _compressed = [];

    [Params(CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd)]
    public CompressionCodec Codec { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var builder = new RecordBatchBuilder();
        var random = new Random(42);
        string[] events = ["page_view", "click", "add_to_cart", "checkout", "search"];
        for (int i = 0; i < 600; i++)
        {
            string json = $"{{\"id\":{100_000 + i},\"user\":\"user-{random.Next(5000)}\",\"event\":\"{events[random.Next(events.Length)]}\"," +
                $"\"ts\":{1_700_000_000_000 + (i * 37)},\"path\":\"/catalog/item/{random.Next(100_000)}\",\"ms\":{random.Next(900)}}}";
            builder.Add(1_700_000_000_000 + i, Encoding.UTF8.GetBytes($"user-{random.Next(5000)}"), Encoding.UTF8.GetBytes(json));
        }

        _records = builder.ToArray()[RecordBatchHeader.Size..];
        _compressed = RecordBatchCompression.Compress(_records, Codec);
        Console.WriteLine($"// {Codec}: {_records.Length} bytes -> {_compressed.Length} bytes");
    }

    [GlobalCleanup]
    public void Cleanup() => _output.Dispose();

    [Benchmark]
    public int Compress()
    {
        _output.Clear();
        return RecordBatchCompression.Compress(Codec, _records, _output);
    }

    [Benchmark]
    public int Decompress()
    {
        using PooledByteBuffer records = RecordBatchCompression.Decompress(Codec, _compressed);
        return records.WrittenCount;
    }
}
