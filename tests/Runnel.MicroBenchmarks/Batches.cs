using Runnel.Records;

namespace Runnel.MicroBenchmarks;

/// <summary>Record batches as a producer sends them: null keys, values of uppercase letters, one batch of n records.</summary>
internal static class Batches
{
    public static byte[] Build(int records, int recordSize, long baseTimestamp = 1_700_000_000_000)
    {
        var builder = new RecordBatchBuilder();
        var random = new Random(42);
        var value = new byte[recordSize];
        for (int i = 0; i < value.Length; i++)
        {
            value[i] = (byte)('A' + random.Next(26));
        }

        for (int i = 0; i < records; i++)
        {
            builder.Add(baseTimestamp + i, null, value);
        }

        return builder.ToArray();
    }

    /// <summary>A Produce or Fetch request frame body (header and message, no size prefix) as the dispatcher sees it.</summary>
    public static byte[] Frame(Runnel.Protocol.ApiKey key, short version, Runnel.Protocol.IKafkaMessage message)
    {
        using var writer = new Runnel.Protocol.KafkaWriter(1024);
        var header = new Runnel.Protocol.Messages.RequestHeader { RequestApiKey = (short)key, RequestApiVersion = version, CorrelationId = 7, ClientId = "bench" };
        header.Write(writer, Runnel.Protocol.ApiMessageCatalog.RequestHeaderVersion(key, version));
        message.Write(writer, version);
        return writer.WrittenSpan.ToArray();
    }

}
