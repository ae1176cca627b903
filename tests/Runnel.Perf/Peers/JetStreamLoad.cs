using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Runnel.Perf.Peers;

/// <summary>Settings of a JetStream publisher run: <see cref="Window"/> messages at most await their PubAck.</summary>
public sealed record JetStreamSettings(int Port, long NumRecords, int RecordSize, int Window, string Stream, string Storage);

/// <summary>
/// NATS JetStream publisher over the plain NATS text protocol (Debian has nats-server but no NATS client): creates
/// a file-backed R1 stream, then publishes with a reply inbox per message and keeps up to <c>--window</c> messages
/// awaiting their PubAck, like <c>nats bench js pub --batch</c> but sliding. A message counts once its PubAck
/// (the stream has stored it) arrives; ack latency is from creation to that PubAck.
/// </summary>
public static class JetStreamLoad
{
    public static async Task<int> ProduceAsync(JetStreamSettings settings, CancellationToken cancellationToken)
    {
        (int port, long total, int recordSize, int window, string stream, string storage) = settings;

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendBufferSize = 4 << 20, ReceiveBufferSize = 4 << 20 };
        await socket.ConnectAsync("127.0.0.1", port, cancellationToken).ConfigureAwait(false);
        var reader = new LineReader(socket);
        reader.ReadLine(); // INFO {...}
        Send(socket, "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":false,\"protocol\":1,\"name\":\"runnel-perf\"}\r\nSUB _INBOX.perf.* 1\r\n");

        // The stream, deleted first so every run starts empty.
        Request(socket, reader, $"$JS.API.STREAM.DELETE.{stream}", string.Empty);
        string created = Request(socket, reader, $"$JS.API.STREAM.CREATE.{stream}",
            $"{{\"name\":\"{stream}\",\"subjects\":[\"{stream}.x\"],\"storage\":\"{storage}\",\"num_replicas\":1,\"max_bytes\":8589934592}}");
        if (created.Contains("\"error\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("stream create: " + created);
        }

        var latency = new LatencyHistogram();
        var slots = new SemaphoreSlim(window);
        long acked = 0;
        long errors = 0;
        long lastAck = 0;
        var acks = new Thread(() =>
        {
            while (Interlocked.Read(ref acked) + Interlocked.Read(ref errors) < total)
            {
                ReadOnlySpan<byte> line = reader.ReadLine();
                if (line.StartsWith("PING"u8))
                {
                    Send(socket, "PONG\r\n");
                    continue;
                }

                if (!line.StartsWith("MSG "u8))
                {
                    continue; // +OK, PONG, INFO updates
                }

                int length = LineReader.ParseInt(line[(line.LastIndexOf((byte)' ') + 1)..]);
                ReadOnlySpan<byte> ack = reader.ReadLine(); // PubAck JSON, short; its CR LF ends the payload
                bool ok = ack.Length == length && ack.IndexOf("\"error\""u8) < 0;
                long now = Stopwatch.GetTimestamp();
                if (ok)
                {
                    // The inbox subject carries the creation timestamp: _INBOX.perf.<ticks>.
                    int dot = line.IndexOf("_INBOX.perf."u8) + "_INBOX.perf.".Length;
                    ReadOnlySpan<byte> rest = line[dot..];
                    long created = long.Parse(Encoding.ASCII.GetString(rest[..rest.IndexOf((byte)' ')]), CultureInfo.InvariantCulture);
                    latency.Record((now - created) * 1_000_000_000 / Stopwatch.Frequency);
                    Interlocked.Increment(ref acked);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }

                Interlocked.Exchange(ref lastAck, now);
                slots.Release();
            }
        }) { IsBackground = true, Name = "nats-acks" };

        byte[] payload = new byte[recordSize];
        new Random(1234).NextBytes(payload);
        byte[] sendBuffer = new byte[256 * 1024];
        int filled = 0;
        long start = Stopwatch.GetTimestamp();
        acks.Start();
        for (long i = 0; i < total; i++)
        {
            if (!slots.Wait(0))
            {
                socket.Send(sendBuffer, 0, filled, SocketFlags.None);
                filled = 0;
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            long now = Stopwatch.GetTimestamp();
            BinaryPrimitives.WriteInt64LittleEndian(payload, now);
            string header = $"PUB {stream}.x _INBOX.perf.{now} {recordSize}\r\n";
            if (filled + header.Length + recordSize + 2 > sendBuffer.Length)
            {
                socket.Send(sendBuffer, 0, filled, SocketFlags.None);
                filled = 0;
            }

            filled += Encoding.ASCII.GetBytes(header, sendBuffer.AsSpan(filled));
            payload.CopyTo(sendBuffer, filled);
            filled += recordSize;
            sendBuffer[filled++] = (byte)'\r';
            sendBuffer[filled++] = (byte)'\n';
        }

        socket.Send(sendBuffer, 0, filled, SocketFlags.None);
        if (!acks.Join(TimeSpan.FromSeconds(120)))
        {
            throw new TimeoutException("PubAcks did not all arrive.");
        }

        Report.Print("nats-produce", acked, acked * recordSize, Stopwatch.GetElapsedTime(start, lastAck).TotalSeconds, latency, "ack", errors);
        return errors == 0 ? 0 : 1;
    }

    private static void Send(Socket socket, string text) => socket.Send(Encoding.ASCII.GetBytes(text));

    /// <summary>A JetStream API request answered on the inbox subject _INBOX.perf.0 (before the publish loop starts).</summary>
    private static string Request(Socket socket, LineReader reader, string subject, string body)
    {
        Send(socket, $"PUB {subject} _INBOX.perf.0 {Encoding.UTF8.GetByteCount(body)}\r\n{body}\r\n");
        while (true)
        {
            ReadOnlySpan<byte> line = reader.ReadLine();
            if (line.StartsWith("PING"u8))
            {
                Send(socket, "PONG\r\n");
            }
            else if (line.StartsWith("-ERR"u8))
            {
                throw new InvalidOperationException(Encoding.ASCII.GetString(line));
            }
            else if (line.StartsWith("MSG "u8))
            {
                return Encoding.UTF8.GetString(reader.ReadLine());
            }
        }
    }
}
