using System.Text;
using System.Text.Json;

namespace Runnel.Client.Serialization;

/// <summary>Built-in serializers: raw bytes, UTF-8 strings, System.Text.Json.</summary>
public static class Serializers
{
    public static ISerializer<byte[]?> Bytes { get; } = new BytesSerde();

    public static ISerializer<string?> Utf8 { get; } = new Utf8Serde();

    /// <summary>System.Text.Json with <paramref name="options"/> (default: web defaults, camelCase).</summary>
    public static ISerializer<T> Json<T>(JsonSerializerOptions? options = null) => new JsonSerde<T>(options);

    /// <summary>The natural serializer for <typeparamref name="T"/>: bytes for byte[], UTF-8 for string, JSON otherwise.</summary>
    public static ISerializer<T> Default<T>() => typeof(T) == typeof(byte[]) ? (ISerializer<T>)Bytes
        : typeof(T) == typeof(string) ? (ISerializer<T>)Utf8
        : new JsonSerde<T>(null);

    internal sealed class BytesSerde : ISerializer<byte[]?>, IDeserializer<byte[]?>
    {
        public byte[]? Serialize(byte[]? value, SerializationContext context) => value;

        public byte[]? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => isNull ? null : data.ToArray();
    }

    internal sealed class Utf8Serde : ISerializer<string?>, IDeserializer<string?>
    {
        public byte[]? Serialize(string? value, SerializationContext context) => value is null ? null : Encoding.UTF8.GetBytes(value);

        public string? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => isNull ? null : Encoding.UTF8.GetString(data);
    }

    internal sealed class JsonSerde<T>(JsonSerializerOptions? options) : ISerializer<T>, IDeserializer<T>
    {
        private readonly JsonSerializerOptions _options = options ?? JsonSerializerOptions.Web;

        public byte[]? Serialize(T value, SerializationContext context) => value is null ? null : JsonSerializer.SerializeToUtf8Bytes(value, _options);

        public T Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
            isNull ? default! : JsonSerializer.Deserialize<T>(data, _options)!;
    }
}

/// <summary>Built-in deserializers, the counterparts of <see cref="Serializers"/>.</summary>
public static class Deserializers
{
    public static IDeserializer<byte[]?> Bytes { get; } = new Serializers.BytesSerde();

    public static IDeserializer<string?> Utf8 { get; } = new Serializers.Utf8Serde();

    public static IDeserializer<T> Json<T>(JsonSerializerOptions? options = null) => new Serializers.JsonSerde<T>(options);

    /// <summary>The natural deserializer for <typeparamref name="T"/>: bytes for byte[], UTF-8 for string, JSON otherwise.</summary>
    public static IDeserializer<T> Default<T>() => typeof(T) == typeof(byte[]) ? (IDeserializer<T>)Bytes
        : typeof(T) == typeof(string) ? (IDeserializer<T>)Utf8
        : new Serializers.JsonSerde<T>(null);
}
