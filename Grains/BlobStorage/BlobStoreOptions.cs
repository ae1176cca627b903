namespace Runnel.Grains.BlobStorage;

/// <summary>Where the blob tier lives and how requests to it behave. Every default is documented on its property.</summary>
public sealed record BlobStoreOptions
{
    /// <summary>The default block and single-put size: 4 MiB (Azure's long-standing Put Block sweet spot).</summary>
    public const int DefaultBlockSize = 4 * 1024 * 1024;

    /// <summary>Which store. Default: <see cref="BlobStoreKind.Local"/>.</summary>
    public BlobStoreKind Kind { get; set; } = BlobStoreKind.Local;

    /// <summary>The folder of <see cref="BlobStoreKind.Local"/> (created if missing). Default: "blobs" under the current folder.</summary>
    public string LocalPath { get; set; } = "blobs";

    /// <summary>
    /// The Azure Storage connection string of <see cref="BlobStoreKind.Azure"/>: "UseDevelopmentStorage=true" (Azurite on
    /// 127.0.0.1:10000) or "DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...[;BlobEndpoint=...]". See
    /// <see cref="BlobConnectionString"/>. Default: null (required for Azure).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>The Azure container (3-63 lowercase letters, digits and single hyphens). Default: "runnel".</summary>
    public string Container { get; set; } = "runnel";

    /// <summary>Create the container on first use when it is missing. Default: true.</summary>
    public bool CreateContainerIfMissing { get; set; } = true;

    /// <summary>Content up to this size goes up in one Put Blob; larger content in blocks. Default: 4 MiB.</summary>
    public int SinglePutThresholdBytes { get; set; } = DefaultBlockSize;

    /// <summary>Size of each Put Block of a large upload (Azure allows up to 4000 MiB, 50,000 blocks). Default: 4 MiB.</summary>
    public int BlockSizeBytes { get; set; } = DefaultBlockSize;

    /// <summary>Results per List Blobs page (Azure's maxresults, at most 5000). Default: 1000.</summary>
    public int ListPageSize { get; set; } = 1000;

    /// <summary>Retries after the first attempt of a request that failed transiently (408, 429, 5xx, socket errors). Default: 5.</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>Back-off before the first retry; it doubles per retry, with jitter of -50% to 0%. Default: 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest back-off between two attempts, also the cap on a server's Retry-After. Default: 30 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time limit of one HTTP attempt (a timed-out attempt counts as transient). Default: 100 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Throws <see cref="ArgumentException"/> for values no store can work with.</summary>
    public void Validate()
    {
        if (BlockSizeBytes <= 0 || SinglePutThresholdBytes < 0)
        {
            throw new ArgumentException($"BlockSizeBytes must be positive and SinglePutThresholdBytes not negative (got {BlockSizeBytes} and {SinglePutThresholdBytes}).");
        }

        if (ListPageSize is < 1 or > 5000)
        {
            throw new ArgumentException($"ListPageSize must be between 1 and 5000 (got {ListPageSize}).");
        }

        if (MaxRetries < 0 || RetryBaseDelay < TimeSpan.Zero || RetryMaxDelay < RetryBaseDelay || RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("Retry settings: MaxRetries >= 0, 0 <= RetryBaseDelay <= RetryMaxDelay, RequestTimeout > 0.");
        }
    }
}
