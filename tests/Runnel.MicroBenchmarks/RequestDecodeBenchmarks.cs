using BenchmarkDotNet.Attributes;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.MicroBenchmarks;

/// <summary>
/// Request decode as the dispatcher does it (header, then the generated message over the frame's memory). The
/// Produce request's records stay a slice of the frame, so its cost and allocation must not grow with the records.
/// </summary>
[MemoryDiagnoser]
public class RequestDecodeBenchmarks
{
    private byte[] _produce = [];
    private byte[] _fetch = [];

    /// <summary>Records in the Produce request's one batch (100 B each).</summary>
    [Params(10, 1000)]
    public int Records { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var produce = new ProduceRequest { Acks = 1, TimeoutMs = 30_000 };
        produce.TopicData.Add(new ProduceRequest.TopicProduceData
        {
            Name = "orders",
            PartitionData = { new ProduceRequest.TopicProduceData.PartitionProduceData { Index = 0, Records = Batches.Build(Records, 100) } },
        });
        _produce = Batches.Frame(ApiKey.Produce, 9, produce);

        var fetch = new FetchRequest { MaxWaitMs = 500, MinBytes = 1, MaxBytes = 50 << 20 };
        var topic = new FetchRequest.FetchTopic { Topic = "orders", TopicId = Guid.NewGuid() };
        for (int p = 0; p < 8; p++)
        {
            topic.Partitions.Add(new FetchRequest.FetchTopic.FetchPartition { Partition = p, FetchOffset = 1000 * p, PartitionMaxBytes = 1 << 20 });
        }

        fetch.Topics.Add(topic);
        _fetch = Batches.Frame(ApiKey.Fetch, 13, fetch);
    }

    [Benchmark]
    public int DecodeProduceV9()
    {
        var reader = new KafkaReader(_produce);
        var header = new RequestHeader();
        header.Read(ref reader, ApiMessageCatalog.RequestHeaderVersion(ApiKey.Produce, 9));
        var request = new ProduceRequest();
        request.Read(ref reader, 9);
        return request.TopicData[0].PartitionData[0].Records!.Value.Length;
    }

    [Benchmark]
    public int DecodeFetchV13EightPartitions()
    {
        var reader = new KafkaReader(_fetch);
        var header = new RequestHeader();
        header.Read(ref reader, ApiMessageCatalog.RequestHeaderVersion(ApiKey.Fetch, 13));
        var request = new FetchRequest();
        request.Read(ref reader, 13);
        return request.Topics[0].Partitions.Count;
    }
}
