namespace Runnel.Grains.BlobStorage;

/// <summary>What a store knows about a blob without reading it.</summary>
public sealed record BlobProperties(long Size, string ETag, DateTimeOffset LastModified);
