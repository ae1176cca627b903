namespace Runnel.Grains.BlobStorage;

/// <summary>
/// A flat namespace of immutable-per-write objects ("blobs") addressed by '/'-separated names: where sealed
/// segments are tiered and where the manifest that says which blob holds which offsets is kept (with
/// compare-and-swap through <see cref="BlobCondition.IfMatch"/>).
/// </summary>
/// <remarks>
/// Every write replaces a whole blob atomically: a reader sees the old content or the new one, never a mix.
/// Each write gives the blob a new ETag; conditions compare against it. Names are checked by
/// <see cref="BlobName.Validate"/> on every call. Implementations are safe for concurrent use.
/// </remarks>
public interface IBlobStore : IAsyncDisposable
{
    /// <summary>Writes <paramref name="content"/> as the whole blob <paramref name="name"/>.</summary>
    /// <returns>The ETag of the new content.</returns>
    /// <exception cref="BlobConditionFailedException">The condition did not hold; nothing was written.</exception>
    Task<string> PutAsync(string name, ReadOnlyMemory<byte> content, BlobCondition condition, CancellationToken cancellationToken);

    /// <summary>Writes everything <paramref name="content"/> yields (read to its end, not disposed) as the whole blob.</summary>
    /// <returns>The ETag of the new content.</returns>
    /// <exception cref="BlobConditionFailedException">The condition did not hold; nothing was written.</exception>
    Task<string> PutAsync(string name, Stream content, BlobCondition condition, CancellationToken cancellationToken);

    /// <summary>The whole blob with its ETag, or null when there is no blob of that name.</summary>
    Task<BlobContent?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Reads up to <c>destination.Length</c> bytes starting at <paramref name="offset"/>. Returns how many were
    /// read: fewer than asked when the blob ends first, 0 when <paramref name="offset"/> is at or past its end.
    /// </summary>
    /// <exception cref="BlobNotFoundException">There is no blob of that name.</exception>
    Task<int> GetRangeAsync(string name, long offset, Memory<byte> destination, CancellationToken cancellationToken);

    /// <summary>Size, ETag and last-modified time, or null when there is no blob of that name.</summary>
    Task<BlobProperties?> GetPropertiesAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every blob whose name starts with <paramref name="prefix"/> (empty: all), in ordinal name order.</summary>
    IAsyncEnumerable<BlobItem> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the blob. Returns whether it existed; deleting an absent blob is not an error (whatever the condition).
    /// </summary>
    /// <param name="ifMatch">When given, delete only if the blob still has this ETag.</param>
    /// <exception cref="BlobConditionFailedException">The blob exists with another ETag; it was not deleted.</exception>
    Task<bool> DeleteAsync(string name, string? ifMatch, CancellationToken cancellationToken);
}
