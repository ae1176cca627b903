using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Runnel.Perf.Peers;

/// <summary>Settings of a Redis Streams scan; the record size only turns records/s into MB/s.</summary>
public sealed record RedisConsumeSettings(int Port, string Key, long NumRecords, int Count, int RecordSize);

/// <summary>
/// Redis Streams consumer: one connection scanning the stream in order with <c>XRANGE key (lastId + COUNT n</c>,
/// as a Kafka consumer reads a partition (one request at a time). The producer side is redis-benchmark's
/// pipelined XADD, the fastest client there is for it (see tests/perf/compare.sh).
/// </summary>
public static class RedisStreamLoad
{
    public static async Task<int> ConsumeAsync(RedisConsumeSettings settings, CancellationToken cancellationToken)
    {
        (int port, string key, long expected, int count, int recordSize) = settings;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 4 << 20 };
        await socket.ConnectAsync("127.0.0.1", port, cancellationToken).ConfigureAwait(false);
        var reader = new LineReader(socket);
        string lastId = "-";
        long records = 0;
        long start = Stopwatch.GetTimestamp();
        while (records < expected && !cancellationToken.IsCancellationRequested)
        {
            string from = lastId == "-" ? "-" : "(" + lastId;
            byte[] command = Encoding.ASCII.GetBytes(
                $"*6\r\n$6\r\nXRANGE\r\n${key.Length}\r\n{key}\r\n${from.Length}\r\n{from}\r\n$1\r\n+\r\n$5\r\nCOUNT\r\n${count.ToString(System.Globalization.CultureInfo.InvariantCulture).Length}\r\n{count}\r\n");
            socket.Send(command);
            ReadOnlySpan<byte> header = reader.ReadLine();
            if (header[0] != '*')
            {
                throw new InvalidDataException("XRANGE: " + Encoding.ASCII.GetString(header));
            }

            int entries = LineReader.ParseInt(header[1..]);
            if (entries <= 0)
            {
                break;
            }

            for (int i = 0; i < entries; i++)
            {
                reader.ReadLine(); // *2
                int idLength = LineReader.ParseInt(reader.ReadLine()[1..]);
                ReadOnlySpan<byte> id = reader.ReadLine();
                if (i == entries - 1)
                {
                    lastId = Encoding.ASCII.GetString(id[..idLength]);
                }

                int fields = LineReader.ParseInt(reader.ReadLine()[1..]);
                for (int f = 0; f < fields; f++)
                {
                    int length = LineReader.ParseInt(reader.ReadLine()[1..]);
                    reader.SkipPayload(length + 2, wantHead: false);
                }
            }

            records += entries;
        }

        Report.Print("redis-consume", records, records * recordSize, Stopwatch.GetElapsedTime(start).TotalSeconds, null, "none");
        return records >= expected ? 0 : 1;
    }
}
