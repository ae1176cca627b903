namespace Runnel.Grains.BlobStorage;

/// <summary>A whole blob as read: its bytes and the ETag they had.</summary>
public sealed record BlobContent(ReadOnlyMemory<byte> Content, string ETag, DateTimeOffset LastModified);
