namespace Runnel.Protocol;

/// <summary>A Kafka protocol message (or nested struct) that can read and write itself at a given schema version.</summary>
public interface IKafkaMessage
{
    /// <summary>
    /// Reads the fields of <paramref name="version"/> from <paramref name="reader"/>. Call on a newly constructed
    /// instance: fields absent in that version keep their current (default) values. Throws only
    /// <see cref="KafkaProtocolException"/> on malformed input.
    /// </summary>
    void Read(ref KafkaReader reader, short version);

    /// <summary>Writes the fields of <paramref name="version"/>; fields absent in that version are not written.</summary>
    void Write(KafkaWriter writer, short version);
}
