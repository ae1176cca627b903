using System.IO.Pipelines;

namespace Runnel.Silo.Kafka;

/// <summary>
/// A response that writes its own frame into the connection's pipe instead of being encoded whole into a buffer
/// first: Fetch, whose record sets are most of the bytes and are copied once, from where they are, into the pipe.
/// </summary>
public interface IPipeResponse
{
    /// <summary>
    /// Writes the size-prefixed frame (size, correlation id, the response header's tagged fields when
    /// <paramref name="flexibleHeader"/>, the body) and returns the bytes written. Does not flush.
    /// </summary>
    long WriteFrame(PipeWriter output, short version, int correlationId, bool flexibleHeader);
}
