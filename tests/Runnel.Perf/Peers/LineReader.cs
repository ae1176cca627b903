using System.Net.Sockets;

namespace Runnel.Perf.Peers;

/// <summary>
/// A buffered reader of a text protocol's lines and exact-length payloads over a socket (RESP, NATS). Blocking on
/// purpose: each driver has one reading thread, and the buffer is consumed in place without allocation.
/// </summary>
internal sealed class LineReader(Socket socket)
{
    private readonly byte[] _buffer = new byte[1 << 20];
    private int _start;
    private int _end;

    /// <summary>The next line without its CR LF; valid until the next call.</summary>
    public ReadOnlySpan<byte> ReadLine()
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                ReadOnlySpan<byte> line = _buffer.AsSpan(_start, newline > 0 && _buffer[_start + newline - 1] == '\r' ? newline - 1 : newline);
                _start += newline + 1;
                return line;
            }

            Fill();
        }
    }

    /// <summary>Skips <paramref name="count"/> payload bytes, handing the first up to 8 to <paramref name="head"/>.</summary>
    public long SkipPayload(int count, bool wantHead)
    {
        long head = 0;
        if (wantHead)
        {
            while (_end - _start < Math.Min(count, 8))
            {
                Fill();
            }

            if (count >= 8)
            {
                head = BitConverter.ToInt64(_buffer, _start);
            }
        }

        int remaining = count;
        while (remaining > 0)
        {
            if (_end == _start)
            {
                Fill();
            }

            int take = Math.Min(remaining, _end - _start);
            _start += take;
            remaining -= take;
        }

        return head;
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            throw new InvalidDataException("A line is longer than the read buffer.");
        }

        int read = socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
        if (read == 0)
        {
            throw new EndOfStreamException("The server closed the connection.");
        }

        _end += read;
    }

    public static int ParseInt(ReadOnlySpan<byte> digits)
    {
        int sign = 1;
        int value = 0;
        foreach (byte b in digits)
        {
            if (b == '-')
            {
                sign = -1;
            }
            else
            {
                value = (value * 10) + (b - '0');
            }
        }

        return sign * value;
    }
}
