using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Runnel.Silo.Diagnostics;

/// <summary>
/// Serves the silo's System.Diagnostics.Metrics instruments in the Prometheus text format. The OpenTelemetry
/// Prometheus exporter package is not available here, so this listens to the meters itself: counters and
/// up-down counters are summed per tag set, gauges are read at scrape time.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<SeriesKey, Series> _series = new();
    private readonly object _scrapeLock = new();

    public PrometheusExporter(params string[] meterNames)
    {
        var names = new HashSet<string>(meterNames, StringComparer.Ordinal);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (names.Contains(instrument.Meter.Name))
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, tags, state) => ((PrometheusExporter)state!).Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>(static (instrument, value, tags, state) => ((PrometheusExporter)state!).Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>(static (instrument, value, tags, state) => ((PrometheusExporter)state!).Record(instrument, value, tags));
        _listener.Start();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = new SeriesKey(instrument, FormatLabels(tags));
        Series series = _series.GetOrAdd(key, static k => new Series());
        if (instrument.IsObservable)
        {
            // Observable instruments report their current value (a total for observable counters) at each collection.
            series.Set(value);
        }
        else
        {
            series.Add(value);
        }
    }

    public string Scrape()
    {
        lock (_scrapeLock)
        {
            _listener.RecordObservableInstruments();
            var byName = new SortedDictionary<string, List<(string Labels, double Value, Instrument Instrument)>>(StringComparer.Ordinal);
            foreach (KeyValuePair<SeriesKey, Series> entry in _series)
            {
                string name = MetricName(entry.Key.Instrument);
                if (!byName.TryGetValue(name, out var list))
                {
                    byName[name] = list = new();
                }

                list.Add((entry.Key.Labels, entry.Value.Value, entry.Key.Instrument));
            }

            var text = new StringBuilder();
            foreach (var (name, list) in byName)
            {
                Instrument instrument = list[0].Instrument;
                if (instrument.Description is { Length: > 0 } help)
                {
                    text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
                }

                text.Append("# TYPE ").Append(name).Append(' ').Append(IsCounter(instrument) ? "counter" : "gauge").Append('\n');
                list.Sort(static (a, b) => string.CompareOrdinal(a.Labels, b.Labels));
                foreach (var (labels, value, _) in list)
                {
                    text.Append(name).Append(labels).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
                }
            }

            return text.ToString();
        }
    }

    private static bool IsCounter(Instrument instrument)
        => instrument is Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double>;

    private static string MetricName(Instrument instrument)
    {
        string name = instrument.Name.Replace('.', '_').Replace('-', '_');
        if (instrument.Unit == "By" && !name.EndsWith("_bytes", StringComparison.Ordinal) && !name.Contains("_bytes_", StringComparison.Ordinal))
        {
            name += "_bytes";
        }

        return IsCounter(instrument) ? name + "_total" : name;
    }

    private static string FormatLabels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return string.Empty;
        }

        var pairs = new List<KeyValuePair<string, object?>>(tags.ToArray());
        pairs.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var text = new StringBuilder("{");
        for (int i = 0; i < pairs.Count; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            string value = Convert.ToString(pairs[i].Value, CultureInfo.InvariantCulture) ?? string.Empty;
            text.Append(pairs[i].Key.Replace('.', '_')).Append("=\"")
                .Append(value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal))
                .Append('"');
        }

        return text.Append('}').ToString();
    }

    public void Dispose() => _listener.Dispose();

    private readonly record struct SeriesKey(Instrument Instrument, string Labels);

    private sealed class Series
    {
        private long _bits;

        public double Value => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _bits));

        public void Set(double value) => Interlocked.Exchange(ref _bits, BitConverter.DoubleToInt64Bits(value));

        public void Add(double delta)
        {
            long current;
            long updated;
            do
            {
                current = Interlocked.Read(ref _bits);
                updated = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(current) + delta);
            }
            while (Interlocked.CompareExchange(ref _bits, updated, current) != current);
        }
    }
}
