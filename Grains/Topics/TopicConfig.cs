using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

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

    /// <summary>
    /// IncrementalAlterConfigs: a copy with <paramref name="changes"/> applied, where a value sets an override and
    /// null removes it (back to the default). Nothing changes unless every change is valid.
    /// </summary>
    public bool TryWith(
        IEnumerable<KeyValuePair<string, string?>>? changes,
        [NotNullWhen(true)] out TopicConfig? config,
        [NotNullWhen(false)] out string? error)
    {
        var merged = new Dictionary<string, string>(_overrides, StringComparer.Ordinal);
        foreach ((string name, string? value) in changes ?? [])
        {
            if (!TopicConfigCatalog.TryGet(name, out _))
            {
                config = null;
                error = TopicConfigCatalog.Validate(name, value)!;
                return false;
            }

            if (value is null)
            {
                merged.Remove(name);
                continue;
            }

            string trimmed = value.Trim();
            error = TopicConfigCatalog.Validate(name, trimmed);
            if (error is not null)
            {
                config = null;
                return false;
            }

            merged[name] = trimmed;
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

    private long GetLong(string name) => long.Parse(GetValue(name), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}
