using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Cluster.Tests.Infrastructure;

/// <summary>One Kafka request to one silo, encoded with Runnel's generated messages, and its decoded answer.</summary>
internal static class WireCall
{
    public static async Task<TResponse> SendAsync<TResponse>(int port, ApiKey key, short version, IKafkaMessage request)
        where TResponse : IKafkaMessage, new()
    {
        using var writer = new KafkaWriter();
        int size = writer.Reserve(4);
        new RequestHeader { RequestApiKey = (short)key, RequestApiVersion = version, CorrelationId = 7, ClientId = "cluster-tests" }
            .Write(writer, ApiMessageCatalog.RequestHeaderVersion(key, version));
        request.Write(writer, version);
        writer.PatchInt32(size, writer.Length - 4);

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(writer.WrittenMemory);
        byte[] length = new byte[4];
        await stream.ReadExactlyAsync(length);
        byte[] frame = new byte[BinaryPrimitives.ReadInt32BigEndian(length)];
        await stream.ReadExactlyAsync(frame);
        return Decode<TResponse>(frame, key, version);
    }

    private static TResponse Decode<TResponse>(byte[] frame, ApiKey key, short version)
        where TResponse : IKafkaMessage, new()
    {
        var reader = new KafkaReader(frame);
        new ResponseHeader().Read(ref reader, ApiMessageCatalog.ResponseHeaderVersion(key, version));
        var response = new TResponse();
        response.Read(ref reader, version);
        return response;
    }
}
