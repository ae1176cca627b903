using System.Globalization;
using System.Text.Json.Nodes;

namespace Runnel.Cli.Commands;

/// <summary>
/// A Runnel silo's HTTP endpoints (/health, /cluster). Given with --http they must answer; otherwise the address is
/// derived the way the README runs silos (Kafka port 9092+n, HTTP port 9644+n) and tried briefly, since brokers
/// other than Runnel have no such port.
/// </summary>
internal sealed class SiloHttp(string baseUrl, bool required, TimeSpan timeout)
{
    private static readonly TimeSpan s_derivedTimeout = TimeSpan.FromSeconds(2);

    public string BaseUrl { get; } = baseUrl;

    public bool Required { get; } = required;

    public static SiloHttp? For(CliContext context)
    {
        if (context.HttpUrl is not null)
        {
            return new SiloHttp(context.HttpUrl, required: true, context.Timeout);
        }

        string first = context.Brokers.Split(',', StringSplitOptions.TrimEntries)[0];
        int colon = first.LastIndexOf(':');
        if (colon > 0 && int.TryParse(first.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is >= 9092 and < 9192)
        {
            string host = first[..colon];
            return new SiloHttp(string.Create(CultureInfo.InvariantCulture, $"http://{host}:{9644 + (port - 9092)}"), required: false, s_derivedTimeout);
        }

        return null;
    }

    /// <summary>The body of GET <paramref name="path"/> with its status; null when a derived address does not answer.</summary>
    public async Task<(int Status, string Body)?> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = timeout };
        try
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri(BaseUrl + path), cancellationToken).ConfigureAwait(false);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Required
                ? throw new CliException(ExitCodes.Unreachable, "HTTP_UNREACHABLE", $"{BaseUrl}{path} did not answer: {e.Message}", "check --http (or RUNNEL_HTTP): the silo's HTTP port, 9644 by default")
                : null;
        }
    }

    public async Task<JsonNode?> GetJsonAsync(string path, CancellationToken cancellationToken)
    {
        (int Status, string Body)? answer = await GetAsync(path, cancellationToken).ConfigureAwait(false);
        if (answer is not { } a || a.Status != 200)
        {
            return answer is { } failed && Required
                ? throw new CliException(ExitCodes.KafkaError, "HTTP_ERROR", $"GET {BaseUrl}{path} answered {failed.Status}: {failed.Body}")
                : null;
        }

        try
        {
            return JsonNode.Parse(a.Body);
        }
        catch (System.Text.Json.JsonException) when (!Required)
        {
            return null;
        }
    }
}
