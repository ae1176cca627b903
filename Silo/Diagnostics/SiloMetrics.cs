using System.Diagnostics.Metrics;
using Runnel.Protocol;

namespace Runnel.Silo.Diagnostics;

/// <summary>
/// The silo's instruments, on the meter "Runnel.Silo". Names follow OpenTelemetry conventions (dotted, unit
/// separate); OpenTelemetry's Prometheus exporter shows them with the unit and type suffixes it derives
/// (runnel_kafka_requests_total, runnel_kafka_received_bytes_total), so a byte count's name ends in "bytes" to
/// take no second "_bytes".
/// </summary>
public sealed class SiloMetrics : IDisposable
{
    public const string MeterName = "Runnel.Silo";

    /// <summary>Versions counted per API; the highest any Kafka API defines today is 17 (Fetch).</summary>
    private const int MaxCountedVersion = 64;

    private readonly Meter _meter;
    private readonly long[]?[] _requestCounts = new long[]?[128];
    private readonly KeyValuePair<string, object?>[]?[][] _requestTags = new KeyValuePair<string, object?>[]?[128][];
    private readonly long[]?[] _versionCounts = new long[]?[128];
    private readonly KeyValuePair<string, object?>[]?[][] _versionTags = new KeyValuePair<string, object?>[]?[128][];
    private readonly Counter<long> _rejected;
    private long _bytesIn;
    private long _bytesOut;
    private long _connections;
    private readonly string[] _apiNames;
    private readonly string[] _errorNames;

    public SiloMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        // Observed, like the byte counts: a request costs one interlocked increment of its (API, error) slot, where a
        // pushed counter with two tags cost a tag array per request and a label string per measurement in the exporter.
        _meter.CreateObservableCounter("runnel.kafka.requests", ObserveRequests, "{request}", "Kafka requests answered, by API and error code.");
        // Which version of each API the clients really use (Kafka's RequestsPerSec has the same version tag): it shows
        // what a client upgrade changed on the wire and which old versions are still in use before one is retired.
        _meter.CreateObservableCounter("runnel.kafka.request.versions", ObserveVersions, "{request}", "Kafka requests accepted for decoding, by API and version.");
        _rejected = _meter.CreateCounter<long>("runnel.kafka.requests.rejected", "{request}", "Requests refused before decoding, by reason; the connection is closed.");
        // Observed rather than pushed: the hot path pays one interlocked add, and the series exist (at zero) from
        // start-up whenever the exporter begins listening.
        _meter.CreateObservableCounter("runnel.kafka.received.bytes", () => Volatile.Read(ref _bytesIn), "By", "Bytes of Kafka requests received.");
        _meter.CreateObservableCounter("runnel.kafka.sent.bytes", () => Volatile.Read(ref _bytesOut), "By", "Bytes of Kafka responses sent.");
        _meter.CreateObservableUpDownCounter("runnel.kafka.connections", () => Volatile.Read(ref _connections), "{connection}", "Open Kafka connections.");
        _apiNames = BuildApiNames();

        _errorNames = BuildErrorNames();
    }

    /// <summary>Observes a gauge (e.g. partitions hosted) through a callback read at each collection.</summary>
    public void ObserveGauge(string name, string unit, string description, Func<long> read)
        => _meter.CreateObservableGauge(name, read, unit, description);

    public void RequestAnswered(short apiKey, ErrorCode error)
    {
        if (apiKey < 0 || apiKey >= _requestCounts.Length)
        {
            return; // the dispatcher only answers the keys of its handlers, all below 128
        }

        int api = apiKey;
        int code = Math.Clamp((int)error + 1, 0, 255);
        long[] counts = _requestCounts[api] ?? CreateRequestRow(api);
        Interlocked.Increment(ref counts[code]);
    }

    /// <summary>Counts a request of a version inside its API's advertised range, before it is decoded.</summary>
    public void RequestVersion(short apiKey, short apiVersion)
    {
        if (apiKey < 0 || apiKey >= _versionCounts.Length || apiVersion < 0 || apiVersion >= MaxCountedVersion)
        {
            return; // advertised versions all lie inside; anything else was refused before this point
        }

        long[] counts = Volatile.Read(ref _versionCounts[apiKey]) ?? CreateVersionRow(apiKey);
        Interlocked.Increment(ref counts[apiVersion]);
    }

    private long[] CreateVersionRow(int api)
    {
        Interlocked.CompareExchange(ref _versionCounts[api], new long[MaxCountedVersion], null);
        return _versionCounts[api]!;
    }

    private IEnumerable<Measurement<long>> ObserveVersions()
    {
        var measurements = new List<Measurement<long>>();
        for (int api = 0; api < _versionCounts.Length; api++)
        {
            long[]? counts = Volatile.Read(ref _versionCounts[api]);
            if (counts is null)
            {
                continue;
            }

            for (int version = 0; version < counts.Length; version++)
            {
                long count = Volatile.Read(ref counts[version]);
                if (count == 0)
                {
                    continue;
                }

                KeyValuePair<string, object?>[]?[] row = _versionTags[api] ??= new KeyValuePair<string, object?>[]?[MaxCountedVersion];
                KeyValuePair<string, object?>[] tags = row[version] ??=
                [
                    new KeyValuePair<string, object?>("api", ApiName((short)api)),
                    new KeyValuePair<string, object?>("version", version.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ];
                measurements.Add(new Measurement<long>(count, tags));
            }
        }

        return measurements;
    }

    private long[] CreateRequestRow(int api)
    {
        Interlocked.CompareExchange(ref _requestCounts[api], new long[256], null);
        return _requestCounts[api]!;
    }

    /// <summary>One measurement per (API, error) seen so far; the tag arrays are made once per pair and kept.</summary>
    private IEnumerable<Measurement<long>> ObserveRequests()
    {
        var measurements = new List<Measurement<long>>();
        for (int api = 0; api < _requestCounts.Length; api++)
        {
            long[]? counts = Volatile.Read(ref _requestCounts[api]);
            if (counts is null)
            {
                continue;
            }

            for (int code = 0; code < counts.Length; code++)
            {
                long count = Volatile.Read(ref counts[code]);
                if (count == 0)
                {
                    continue;
                }

                KeyValuePair<string, object?>[]?[] row = _requestTags[api] ??= new KeyValuePair<string, object?>[]?[256];
                KeyValuePair<string, object?>[] tags = row[code] ??=
                [
                    new KeyValuePair<string, object?>("api", ApiName((short)api)),
                    new KeyValuePair<string, object?>("error_code", ErrorName((ErrorCode)(code - 1))),
                ];
                measurements.Add(new Measurement<long>(count, tags));
            }
        }

        return measurements;
    }

    public void RequestRejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void BytesReceived(long count) => Interlocked.Add(ref _bytesIn, count);

    public void BytesSent(long count) => Interlocked.Add(ref _bytesOut, count);

    public void ConnectionOpened() => Interlocked.Increment(ref _connections);

    public void ConnectionClosed() => Interlocked.Decrement(ref _connections);

    private string ApiName(short apiKey)
        => apiKey >= 0 && apiKey < _apiNames.Length && _apiNames[apiKey] is { } name ? name : "Unknown";

    private string ErrorName(ErrorCode error)
    {
        int index = (int)error + 1;
        return index >= 0 && index < _errorNames.Length && _errorNames[index] is { } name ? name : ((int)error).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string[] BuildApiNames()
    {
        var names = new string[128];
        foreach (ApiKey key in Enum.GetValues<ApiKey>())
        {
            if ((int)key >= 0 && (int)key < names.Length)
            {
                names[(int)key] = key.ToString();
            }
        }

        return names;
    }

    /// <summary>Upper snake case as Kafka names its errors (CORRUPT_MESSAGE), indexed by code + 1.</summary>
    private static string[] BuildErrorNames()
    {
        var names = new string[256];
        foreach (ErrorCode code in Enum.GetValues<ErrorCode>())
        {
            int index = (int)code + 1;
            if (index >= 0 && index < names.Length)
            {
                names[index] = ToUpperSnake(code.ToString());
            }
        }

        return names;
    }

    private static string ToUpperSnake(string pascal)
    {
        var builder = new System.Text.StringBuilder(pascal.Length + 8);
        for (int i = 0; i < pascal.Length; i++)
        {
            char c = pascal[i];
            if (char.IsUpper(c) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(c));
        }

        return builder.ToString();
    }

    public void Dispose() => _meter.Dispose();
}
