using System.Buffers;
using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Runnel.Grains.Storage;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Silo.Kafka.Handlers;

namespace Runnel.MicroBenchmarks;

/// <summary>
/// Fetch assembly: one partition's batches read from the hot tier (PartitionLog.Read, 1 KiB records) and the whole
/// response frame written into a pipe like the socket's (4 KiB segments, drained after each response).
/// <list type="bullet">
/// <item><c>Before</c>: the silo's former path, kept here as the baseline: the slices copied into a pooled buffer that
/// grows by copying, the response encoded whole into a KafkaWriter (growing by copying too), then copied into the pipe.</item>
/// <item><c>Direct</c>: the path before the slice read, kept as a baseline too: slices copied into a SegmentedBufferWriter, FetchAnswer writes the frame into the pipe.</item>
/// <item><c>ZeroCopy</c>: today's path (IPartitionReader.ReadSlicesAsync): the log's own slices go into FetchAnswer,
/// one copy in all, into the pipe.</item>
/// </list>
/// Before and Direct produce the same bytes (checked in setup).
/// </summary>
[MemoryDiagnoser]
public class FetchEncodeBenchmarks
{
    private readonly Pipe _pipe = new(new PipeOptions(new BlockPool(), pauseWriterThreshold: 0, minimumSegmentSize: 4096, useSynchronizationContext: false));
    private string _directory = string.Empty;
    private PartitionLog? _log;
    private bool _capture;
    private byte[] _captured = [];

    /// <summary>The partition's max bytes in the Fetch request.</summary>
    [Params(64 * 1024, 1024 * 1024)]
    public int FetchBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "runnel-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _log = PartitionLog.Open(_directory, LogOptions.Default);
        byte[] batch = Batches.Build(16, 1024);
        for (int i = 0; i < 1024; i++)
        {
            _log.Append(batch, 0);
        }

        byte[] before = Capture(Before);
        byte[] direct = Capture(Direct);
        byte[] zeroCopy = Capture(ZeroCopy);
        if (!before.AsSpan().SequenceEqual(direct) || !before.AsSpan().SequenceEqual(zeroCopy))
        {
            throw new InvalidOperationException("The direct Fetch encoding differs from the generated one.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _log?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public long Before()
    {
        LogReadResult read = _log!.Read(0, FetchBytes);
        using var buffer = new GrowingBufferWriter(16 * 1024);
        read.CopyTo(buffer);
        FetchResponse response = NewResponse(out var entry);
        entry.Records = buffer.WrittenMemory;
        using var writer = new KafkaWriter();
        int size = writer.Reserve(4);
        writer.WriteInt32(7);
        response.Write(writer, 11);
        writer.PatchInt32(size, writer.Length - 4);
        _pipe.Writer.Write(writer.WrittenSpan);
        return Drain();
    }

    [Benchmark]
    public long Direct()
    {
        LogReadResult read = _log!.Read(0, FetchBytes);
        using var buffer = new SegmentedBufferWriter(16 * 1024);
        read.CopyTo(buffer);
        var answer = new FetchAnswer(NewResponse(out _));
        buffer.AddRange(0, read.SizeInBytes, answer.Segments);
        answer.EndPartition(0, read.SizeInBytes);
        answer.WriteFrame(_pipe.Writer, 11, 7, flexibleHeader: false);
        return Drain();
    }

    [Benchmark]
    public long ZeroCopy()
    {
        LogReadResult read = _log!.Read(0, FetchBytes);
        var answer = new FetchAnswer(NewResponse(out _));
        for (int i = 0; i < read.Slices.Count; i++)
        {
            answer.Segments.Add(read.Slices[i]);
        }

        answer.EndPartition(0, read.SizeInBytes);
        answer.WriteFrame(_pipe.Writer, 11, 7, flexibleHeader: false);
        return Drain();
    }

    private static FetchResponse NewResponse(out FetchResponse.FetchableTopicResponse.PartitionData entry)
    {
        var response = new FetchResponse();
        var topic = new FetchResponse.FetchableTopicResponse { Topic = "orders" };
        entry = new FetchResponse.FetchableTopicResponse.PartitionData { PartitionIndex = 0, HighWatermark = 16384, LastStableOffset = 16384, LogStartOffset = 0, Records = ReadOnlyMemory<byte>.Empty };
        topic.Partitions.Add(entry);
        response.Responses.Add(topic);
        return response;
    }

    private long Drain()
    {
        _pipe.Writer.FlushAsync().GetAwaiter().GetResult();
        _pipe.Reader.TryRead(out ReadResult result);
        long length = result.Buffer.Length;
        if (_capture)
        {
            _captured = result.Buffer.ToArray();
        }

        _pipe.Reader.AdvanceTo(result.Buffer.End);
        return length;
    }

    private byte[] Capture(Func<long> write)
    {
        _capture = true;
        write();
        _capture = false;
        return _captured;
    }
}
