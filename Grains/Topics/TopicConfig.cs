using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Runnel.Records;

namespace Runnel.Grains.Topics;

/// <summary>
/// The effective configuration of one topic: the overrides it was given plus the catalog's defaults. Immutable and
/// always valid (every way to build one validates), so the typed accessors never fail.
/// </summary>
public sealed class TopicConfig
{
    private readonly FrozenDictionary<string, string> _overrides;

    private TopicConfig(FrozenDictionary<string, string> overrides)
    {
        _overrides = overrides;
        RetentionMs = GetLong(TopicConfigCatalog.RetentionMs);
        RetentionBytes = GetLong(TopicConfigCatalog.RetentionBytes);
        SegmentBytes = (int)GetLong(TopicConfigCatalog.SegmentBytes);
        SegmentMs = GetLong(TopicConfigCatalog.SegmentMs);
        MaxMessageBytes = (int)GetLong(TopicConfigCatalog.MaxMessageBytes);
        FlushMs = GetLong(TopicConfigCatalog.FlushMs);
        MinInsyncReplicas = (int)GetLong(TopicConfigCatalog.MinInsyncReplicas);
        LocalRetentionBytes = GetLong(TopicConfigCatalog.LocalRetentionBytes);
        LocalRetentionMs = GetLong(TopicConfigCatalog.LocalRetentionMs);
        RemoteStorageEnable = bool.Parse(GetValue(TopicConfigCatalog.RemoteStorageEnable));
        (RecompressTo, RecompressionLevel) = Recompression(GetValue(TopicConfigCatalog.CompressionType));
    }

    public static TopicConfig Default { get; } = new(FrozenDictionary<string, string>.Empty);

    /// <summary>Only the configs set on the topic (what the metadata store persists).</summary>
    public IReadOnlyDictionary<string, string> Overrides => _overrides;

    public long RetentionMs { get; }

    public long RetentionBytes { get; }

    public int SegmentBytes { get; }

    public long SegmentMs { get; }

    public int MaxMessageBytes { get; }

    public long FlushMs { get; }

    public int MinInsyncReplicas { get; }

    /// <summary>local.retention.bytes as set: -2 (the default) means the same as <see cref="RetentionBytes"/>.</summary>
    public long LocalRetentionBytes { get; }

    /// <summary>local.retention.ms as set: -2 (the default) means the same as <see cref="RetentionMs"/>.</summary>
    public long LocalRetentionMs { get; }

    /// <summary>local.retention.bytes with -2 resolved.</summary>
    public long EffectiveLocalRetentionBytes => LocalRetentionBytes == TopicConfigCatalog.SameAsRetention ? RetentionBytes : LocalRetentionBytes;

    /// <summary>local.retention.ms with -2 resolved.</summary>
    public long EffectiveLocalRetentionMs => LocalRetentionMs == TopicConfigCatalog.SameAsRetention ? RetentionMs : LocalRetentionMs;

    public bool RemoteStorageEnable { get; }

    public string CleanupPolicy => GetValue(TopicConfigCatalog.CleanupPolicy);

    public string CompressionType => GetValue(TopicConfigCatalog.CompressionType);

    /// <summary>The codec every stored batch must have (compression.type other than producer), or null to keep each batch's own.</summary>
    public CompressionCodec? RecompressTo { get; }

    /// <summary>The level for <see cref="RecompressTo"/> on Runnel's codec scale; null for the codec's default.</summary>
    public int? RecompressionLevel { get; }

    public string MessageTimestampType => GetValue(TopicConfigCatalog.MessageTimestampType);

    /// <summary>Builds a config from overrides (a null value means "use the default"); false with a message when one is invalid.</summary>
    public static bool TryCreate(
        IEnumerable<KeyValuePair<string, string?>>? overrides,
        [NotNullWhen(true)] out TopicConfig? config,
        [NotNullWhen(false)] out string? error) =>
        Default.TryWith(overrides, out config, out error);

    /// <summary>Builds a config from overrides; throws <see cref="ArgumentException"/> with the validation message.</summary>
    public static TopicConfig Create(IEnumerable<KeyValuePair<string, string?>>? overrides) =>
        TryCreate(overrides, out TopicConfig? config, out string? error) ? config : throw new ArgumentException(error, nameof(overrides));

    /// <summary>A copy with <paramref name="changes"/> applied, where a value sets an override and null removes it.</summary>
    public bool TryWith(
        IEnumerable<KeyValuePair<string, string?>>? changes,
        [NotNullWhen(true)] out TopicConfig? config,
        [NotNullWhen(false)] out string? error)
    {
        var operations = new List<TopicConfigChange>();
        foreach ((string name, string? value) in changes ?? [])
        {
            operations.Add(value is null ? TopicConfigChange.Delete(name) : TopicConfigChange.Set(name, value));
        }

        return TryApply(operations, out config, out error);
    }

    /// <summary>
    /// IncrementalAlterConfigs: a copy with <paramref name="changes"/> applied in order. SET sets an override, DELETE
    /// removes it (back to the default), APPEND and SUBTRACT add or remove items of a list config's current value.
    /// Nothing changes unless every change is valid.
    /// </summary>
    public bool TryApply(
        IEnumerable<TopicConfigChange> changes,
        [NotNullWhen(true)] out TopicConfig? config,
        [NotNullWhen(false)] out string? error)
    {
        var merged = new Dictionary<string, string>(_overrides, StringComparer.Ordinal);
        config = null;
        foreach (TopicConfigChange change in changes)
        {
            if (!TopicConfigCatalog.TryGet(change.Name, out TopicConfigDefinition? definition))
            {
                error = TopicConfigCatalog.Validate(change.Name, change.Value)!;
                return false;
            }

            if (change.Operation == ConfigOperation.Delete)
            {
                merged.Remove(change.Name);
                continue;
            }

            string? value = change.Operation switch
            {
                ConfigOperation.Set => change.Value?.Trim(),
                ConfigOperation.Append or ConfigOperation.Subtract => ChangeList(definition, merged, change),
                _ => null,
            };
            error = value is null ? RefusedChange(definition, change) : TopicConfigCatalog.Validate(change.Name, value);
            if (error is not null)
            {
                return false;
            }

            merged[change.Name] = value!;
        }

        config = new TopicConfig(merged.ToFrozenDictionary(StringComparer.Ordinal));
        error = null;
        return true;
    }

    /// <summary>The effective value of a known config; throws for unknown names.</summary>
    public string GetValue(string name)
    {
        if (_overrides.TryGetValue(name, out string? value))
        {
            return value;
        }

        return TopicConfigCatalog.TryGet(name, out TopicConfigDefinition? definition)
            ? definition.DefaultValue
            : throw new ArgumentException($"Unknown topic config '{name}'.", nameof(name));
    }

    /// <summary>Every known config with its effective value, in catalog order (DescribeConfigs).</summary>
    public IEnumerable<TopicConfigEntry> Describe()
    {
        foreach (TopicConfigDefinition definition in TopicConfigCatalog.All)
        {
            bool overridden = _overrides.TryGetValue(definition.Name, out string? value);
            yield return new TopicConfigEntry(definition, overridden ? value! : definition.DefaultValue, !overridden);
        }
    }

    private static string? ChangeList(TopicConfigDefinition definition, Dictionary<string, string> merged, TopicConfigChange change)
    {
        if (definition.Type != ConfigType.List || change.Value is null)
        {
            return null;
        }

        string current = merged.TryGetValue(change.Name, out string? set) ? set : definition.DefaultValue;
        var items = new List<string>(current.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        foreach (string item in change.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (change.Operation == ConfigOperation.Subtract)
            {
                items.RemoveAll(existing => existing == item);
            }
            else if (!items.Contains(item))
            {
                items.Add(item);
            }
        }

        return string.Join(',', items);
    }

    private static string RefusedChange(TopicConfigDefinition definition, TopicConfigChange change) => change.Operation switch
    {
        ConfigOperation.Set => $"SET of '{change.Name}' needs a value.",
        ConfigOperation.Append or ConfigOperation.Subtract when definition.Type != ConfigType.List =>
            $"{change.Operation.ToString().ToUpperInvariant()} applies to list configs only; '{change.Name}' is a {definition.Type.ToString().ToLowerInvariant()}.",
        ConfigOperation.Append or ConfigOperation.Subtract => $"{change.Operation.ToString().ToUpperInvariant()} of '{change.Name}' needs a value.",
        _ => $"Config operation {(int)change.Operation} on '{change.Name}' is unknown; Kafka's are SET (0), DELETE (1), APPEND (2) and SUBTRACT (3).",
    };

    private (CompressionCodec? Codec, int? Level) Recompression(string type) => type switch
    {
        "uncompressed" => (CompressionCodec.None, null),
        "gzip" => (CompressionCodec.Gzip, GetLong(TopicConfigCatalog.CompressionGzipLevel) is var gzip && gzip > 0 ? (int)gzip : null),
        "snappy" => (CompressionCodec.Snappy, null),
        // Kafka's lz4 levels go to 17; K4os' LZ4 HC stops at 12, which is also LZ4's own maximum.
        "lz4" => (CompressionCodec.Lz4, (int)Math.Min(GetLong(TopicConfigCatalog.CompressionLz4Level), 12)),
        "zstd" => (CompressionCodec.Zstd, (int)GetLong(TopicConfigCatalog.CompressionZstdLevel)),
        _ => (null, null),
    };

    private long GetLong(string name) => long.Parse(GetValue(name), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}
