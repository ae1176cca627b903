namespace Runnel.Grains.Storage;

/// <summary>
/// Where the blob tier keeps one sealed segment: the data object (the segment file's bytes, unchanged) and the
/// index object (its sparse offset and time indexes). Set on a segment once the manifest lists it.
/// </summary>
public sealed record RemoteCopy(string ObjectName, string IndexObjectName, uint Crc32C);
