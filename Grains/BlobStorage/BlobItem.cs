namespace Runnel.Grains.BlobStorage;

/// <summary>One entry of <see cref="IBlobStore.ListAsync"/>.</summary>
public sealed record BlobItem(string Name, long Size, string ETag, DateTimeOffset LastModified);
