using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Runnel.Grains.Tests.BlobStorage;

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 (a port the OS picks, so no race for a free one) that answers requests
/// from a script, in order, and records what it received; once the script runs out it repeats the last
/// answer. Connections are kept alive as HttpClient expects. Stopped when disposed.
/// </summary>
internal sealed class ScriptedHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<ScriptedResponse> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<TcpClient> _connections = [];
    private readonly Task _loop;
    private int _next;

    public ScriptedHttpServer(params ScriptedResponse[] script)
    {
        _script = [.. script];
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    /// <summary>Requests as received: method, path and query, and the signing headers.</summary>
    public ConcurrentQueue<(string Method, string PathAndQuery, string? Authorization, string? Date)> Requests { get; } = new();

    /// <summary>A connection string for an account "testaccount" whose blob endpoint is this server.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=testaccount;AccountKey={Convert.ToBase64String(new byte[32])};BlobEndpoint=http://127.0.0.1:{Port}/testaccount";

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }

        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // stopped under the accept loop
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            _connections.Add(client);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.ASCII, detectEncodingFromByteOrderMarks: false, bufferSize: 1, leaveOpen: true);
            while (await reader.ReadLineAsync(_stop.Token) is { Length: > 0 } requestLine)
            {
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                while (await reader.ReadLineAsync(_stop.Token) is { Length: > 0 } line)
                {
                    int colon = line.IndexOf(':', StringComparison.Ordinal);
                    headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                }

                // ASCII decodes one char per byte, so Content-Length counts the chars to skip as well
                int length = headers.TryGetValue("Content-Length", out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : 0;
                var body = new char[length];
                int read = 0;
                while (read < length)
                {
                    read += await reader.ReadAsync(body.AsMemory(read), _stop.Token);
                }

                var parts = requestLine.Split(' ');
                Requests.Enqueue((parts[0], parts[1], headers.GetValueOrDefault("Authorization"), headers.GetValueOrDefault("x-ms-date")));
                var answer = _script[Math.Min(Interlocked.Increment(ref _next) - 1, _script.Count - 1)];
                var response = new StringBuilder($"HTTP/1.1 {answer.Status} Scripted\r\nContent-Length: 0\r\n");
                foreach (var (name, value) in answer.Headers)
                {
                    response.Append(name).Append(": ").Append(value).Append("\r\n");
                }

                await stream.WriteAsync(Encoding.ASCII.GetBytes(response.Append("\r\n").ToString()), _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // the client closed the connection, or the server is stopping
        }
        finally
        {
            client.Dispose();
        }
    }
}

/// <summary>One scripted answer: a status and headers, no body.</summary>
internal sealed record ScriptedResponse(int Status, params (string Name, string Value)[] Headers);
