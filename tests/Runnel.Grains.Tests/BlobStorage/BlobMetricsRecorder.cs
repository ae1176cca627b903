using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Runnel.Grains.Tests.BlobStorage;

/// <summary>
/// A meter factory for one store under test that also listens to the meters it made, so a test sees only its
/// own store's measurements even while other tests' stores record on meters of the same name.
/// </summary>
internal sealed class BlobMetricsRecorder : IMeterFactory
{
    private readonly ConcurrentDictionary<Meter, bool> _meters = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, string?> Tags)> _measurements = new();
    private readonly MeterListener _listener = new();

    public BlobMetricsRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (_meters.ContainsKey(instrument.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        _meters[meter] = true;
        return meter;
    }

    /// <summary>Sum of an instrument's measurements whose tags include every pair given.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) =>
        _measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value)).Sum(m => m.Value);

    /// <summary>How many measurements an instrument got with the given tags (a histogram's count).</summary>
    public int Count(string instrument, params (string Key, string Value)[] tags) =>
        _measurements.Count(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value));

    public void Dispose()
    {
        _listener.Dispose();
        foreach (var meter in _meters.Keys)
        {
            meter.Dispose();
        }
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value?.ToString();
        }

        _measurements.Enqueue((instrument.Name, value, copy));
    }
}
