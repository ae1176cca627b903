namespace Runnel.Grains.BlobStorage;

/// <summary>How the local folder store reads its folder. The Azure store has options of its own, in its own project.</summary>
public sealed record LocalFolderBlobStoreOptions
{
    /// <summary>How many files a listing reads per step (the local counterpart of a List Blobs page). Default: 1000.</summary>
    public int ListPageSize { get; init; } = 1000;

    /// <summary>Throws <see cref="ArgumentException"/> for values the store cannot work with.</summary>
    public void Validate()
    {
        if (ListPageSize is < 1 or > 5000)
        {
            throw new ArgumentException($"ListPageSize must be between 1 and 5000 (got {ListPageSize}).");
        }
    }
}
