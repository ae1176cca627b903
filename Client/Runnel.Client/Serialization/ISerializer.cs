namespace Runnel.Client.Serialization;

/// <summary>Which part of a record a (de)serializer works on.</summary>
public enum MessageComponent
{
    Key,
    Value,
}

/// <summary>Context of a (de)serialization: the topic and whether it is the key or the value.</summary>
public readonly record struct SerializationContext(string Topic, MessageComponent Component);

/// <summary>Turns a key or value into bytes; null means a null key or value (a tombstone).</summary>
public interface ISerializer<in T>
{
    byte[]? Serialize(T value, SerializationContext context);
}

/// <summary>Turns bytes back into a key or value; <c>isNull</c> tells a null from an empty array.</summary>
public interface IDeserializer<out T>
{
    T Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context);
}
