using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Protocol;

/// <summary>
/// Sends requests built with the generated message classes over a raw connection, at any version, and decodes
/// the response with the generated class: for tests of versions the hand-built wire helpers do not cover.
/// </summary>
internal static class GeneratedMessageClient
{
    public static async Task<TResponse> SendAsync<TResponse>(RawKafkaConnection connection, ApiKey key, short version, IKafkaMessage request)
        where TResponse : IKafkaMessage, new()
    {
        int correlationId = connection.NextCorrelationId();
        using var writer = new KafkaWriter();
        int size = writer.Reserve(4);
        var header = new RequestHeader { RequestApiKey = (short)key, RequestApiVersion = version, CorrelationId = correlationId, ClientId = "runnel-tests" };
        header.Write(writer, ApiMessageCatalog.RequestHeaderVersion(key, version));
        request.Write(writer, version);
        writer.PatchInt32(size, writer.Length - 4);
        await connection.SendRawAsync(writer.WrittenMemory.ToArray());

        byte[] frame = await connection.ReadFrameAsync() ?? throw new InvalidOperationException($"The silo closed the connection instead of answering {key} v{version}.");
        var reader = new KafkaReader(frame);
        var responseHeader = new ResponseHeader();
        responseHeader.Read(ref reader, ApiMessageCatalog.ResponseHeaderVersion(key, version));
        Assert.Equal(correlationId, responseHeader.CorrelationId);
        var response = new TResponse();
        response.Read(ref reader, version);
        return response;
    }
}
