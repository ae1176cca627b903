namespace Runnel.Client;

/// <summary>A record header: a string key and a value that may be null. Kafka allows repeated keys; order is kept.</summary>
public readonly record struct Header(string Key, byte[]? Value)
{
    /// <summary>A header whose value is <paramref name="value"/> in UTF-8.</summary>
    public static Header Utf8(string key, string? value) =>
        new(key, value is null ? null : System.Text.Encoding.UTF8.GetBytes(value));

    /// <summary>The value decoded as UTF-8, or null.</summary>
    public string? ValueAsString() => Value is null ? null : System.Text.Encoding.UTF8.GetString(Value);
}
