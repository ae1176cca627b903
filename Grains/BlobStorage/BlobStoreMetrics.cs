using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Runnel.Grains.BlobStorage;

/// <summary>
/// What the blob tier costs, on the meter "Runnel.BlobStorage": every request (every HTTP attempt for Azure,
/// since each is billed; every call for the local store) by operation and outcome, the bytes each way, and
/// the request duration.
/// </summary>
/// <remarks>
/// Status tag values: "ok", "not_found", "condition_failed", "throttled" (429, 503), "client_error" (other 4xx),
/// "server_error" (other 5xx), "network_error" (no response: socket error or timeout), "canceled"; the local
/// store also reports "io_error" (a failed file operation).
/// </remarks>
public sealed class BlobStoreMetrics : IDisposable
{
    public const string MeterName = "Runnel.BlobStorage";

    /// <summary>
    /// Bucket bounds, in seconds, for the durations of blob requests and of the reads built on them: from a 100 µs
    /// local file read to a 10 s Azure retry. Without this advice OpenTelemetry's defaults (0 to 10,000, made for
    /// milliseconds) would put every request in the first bucket.
    /// </summary>
    internal static InstrumentAdvice<double> DurationAdvice { get; } = new()
    {
        HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    };

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _bytesSent;
    private readonly Counter<long> _bytesReceived;
    private readonly Histogram<double> _duration;

    /// <param name="meterFactory">The host's factory (DI); null creates a meter of our own, disposed with this object.</param>
    public BlobStoreMetrics(IMeterFactory? meterFactory = null)
    {
        if (meterFactory is null)
        {
            _meter = new Meter(MeterName);
            _ownsMeter = true;
        }
        else
        {
            _meter = meterFactory.Create(new MeterOptions(MeterName));
        }

        _requests = _meter.CreateCounter<long>("runnel.blob.requests", "{request}", "Blob store requests by operation and status.");
        _bytesSent = _meter.CreateCounter<long>("runnel.blob.sent.bytes", "By", "Blob content bytes written to the store.");
        _bytesReceived = _meter.CreateCounter<long>("runnel.blob.received.bytes", "By", "Blob content bytes read from the store.");
        _duration = _meter.CreateHistogram("runnel.blob.request.duration", "s", "Duration of one blob store request.", tags: null, DurationAdvice);
    }

    /// <summary>Records one finished request; <paramref name="startTimestamp"/> is from <see cref="Stopwatch.GetTimestamp"/>.</summary>
    public void RecordRequest(string operation, string status, long startTimestamp, long bytesSent, long bytesReceived)
    {
        var operationTag = new KeyValuePair<string, object?>("operation", operation);
        var statusTag = new KeyValuePair<string, object?>("status", status);
        _requests.Add(1, operationTag, statusTag);
        _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, operationTag, statusTag);
        if (bytesSent > 0)
        {
            _bytesSent.Add(bytesSent, operationTag);
        }

        if (bytesReceived > 0)
        {
            _bytesReceived.Add(bytesReceived, operationTag);
        }
    }

    /// <summary>The status tag of an HTTP response code.</summary>
    public static string StatusOf(int httpStatus) => httpStatus switch
    {
        >= 200 and < 300 => "ok",
        304 or 412 => "condition_failed",
        404 => "not_found",
        429 or 503 => "throttled",
        >= 400 and < 500 => "client_error",
        _ => "server_error",
    };

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
