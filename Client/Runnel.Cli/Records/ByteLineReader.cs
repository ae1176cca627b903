using System.Buffers;
using System.IO.Pipelines;

namespace Runnel.Cli.Records;

/// <summary>
/// Lines of a stream as bytes, split at '\n' (a '\r' before it is dropped, so CRLF files read the same). Nothing is
/// decoded: a line that is not UTF-8 becomes a record with exactly its bytes, never with replacement characters.
/// </summary>
internal sealed class ByteLineReader(Stream stream) : IAsyncDisposable
{
    private readonly PipeReader _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));

    /// <summary>The next line without its end, or null at the end of the input (a last line without '\n' counts).</summary>
    public async ValueTask<byte[]?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            SequencePosition? newline = buffer.PositionOf((byte)'\n');
            if (newline is { } end)
            {
                byte[] line = Trim(buffer.Slice(0, end));
                _reader.AdvanceTo(buffer.GetPosition(1, end));
                return line;
            }

            if (result.IsCompleted)
            {
                byte[]? last = buffer.IsEmpty ? null : Trim(buffer);
                _reader.AdvanceTo(buffer.End);
                return last;
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    public ValueTask DisposeAsync() => _reader.CompleteAsync();

    private static byte[] Trim(ReadOnlySequence<byte> line)
    {
        byte[] bytes = line.ToArray();
        return bytes is [.., (byte)'\r'] ? bytes[..^1] : bytes;
    }
}
