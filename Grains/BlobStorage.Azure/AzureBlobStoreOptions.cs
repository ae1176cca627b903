namespace Runnel.Grains.BlobStorage.Azure;

/// <summary>
/// Where the Azure blob store keeps blobs and how the SDK's requests behave. Every default is documented on its
/// property; <see cref="Validate"/> refuses values no store can work with, before any request.
/// </summary>
public sealed record AzureBlobStoreOptions
{
    /// <summary>The default block and single-put size: 4 MiB (Azure's long-standing Put Block sweet spot).</summary>
    public const int DefaultBlockSize = 4 * 1024 * 1024;

    public const string DefaultContainer = "runnel";
    public const int DefaultMaxRetries = 5;
    public static readonly TimeSpan DefaultRetryDelay = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan DefaultRetryMaxDelay = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultNetworkTimeout = TimeSpan.FromSeconds(100);

    /// <summary>
    /// Any connection string the Azure SDK accepts: "UseDevelopmentStorage=true" (Azurite on 127.0.0.1:10000), an
    /// account key ("DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...[;EndpointSuffix=...][;BlobEndpoint=...]")
    /// or a shared access signature ("BlobEndpoint=https://...;SharedAccessSignature=..."). Required.
    /// </summary>
    public string ConnectionString { get; init; } = string.Empty;

    /// <summary>The container (3-63 lowercase letters, digits and single hyphens). Default: "runnel".</summary>
    public string Container { get; init; } = DefaultContainer;

    /// <summary>Create the container before the first request when it is missing. Default: true.</summary>
    public bool CreateContainerIfMissing { get; init; } = true;

    /// <summary>Content smaller than this goes up in one Put Blob, anything else in blocks (the SDK's InitialTransferSize). Default: 4 MiB.</summary>
    public int SinglePutThresholdBytes { get; init; } = DefaultBlockSize;

    /// <summary>Size of each Put Block of a larger upload (the SDK's MaximumTransferSize). Default: 4 MiB.</summary>
    public int BlockSizeBytes { get; init; } = DefaultBlockSize;

    /// <summary>Results per List Blobs page (Azure's maxresults, at most 5000). Default: 1000.</summary>
    public int ListPageSize { get; init; } = 1000;

    /// <summary>How the SDK spaces its retries. Default: <see cref="BlobRetryMode.Exponential"/>.</summary>
    public BlobRetryMode RetryMode { get; init; } = BlobRetryMode.Exponential;

    /// <summary>
    /// Retries after the first attempt of a request that failed transiently (408, 429, 500, 502, 503, 504, no
    /// response). Default: 5. The tiering loop tries again on its next tick anyway, so this only smooths blips.
    /// </summary>
    public int MaxRetries { get; init; } = DefaultMaxRetries;

    /// <summary>Wait before the first retry (exponential: doubled per retry, ±20% jitter; fixed: every time). Default: 200 ms.</summary>
    public TimeSpan RetryDelay { get; init; } = DefaultRetryDelay;

    /// <summary>Longest wait between two attempts, also the cap on a server's Retry-After. Default: 30 s.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = DefaultRetryMaxDelay;

    /// <summary>Longest wait for a response, and for each read of its body, per attempt. Default: 100 s (the SDK's own).</summary>
    public TimeSpan NetworkTimeout { get; init; } = DefaultNetworkTimeout;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> with a one-line message for values no store can work with, the
    /// connection string included (parsed by the SDK, without I/O; the message never repeats the string, which
    /// holds a secret).
    /// </summary>
    public void Validate()
    {
        ValidateContainerName(Container);
        if (BlockSizeBytes <= 0 || SinglePutThresholdBytes < 0)
        {
            throw new ArgumentException($"The block size must be positive and the single-put threshold not negative (got {BlockSizeBytes} and {SinglePutThresholdBytes}).");
        }

        if (ListPageSize is < 1 or > 5000)
        {
            throw new ArgumentException($"The list page size must be between 1 and 5000 (got {ListPageSize}).");
        }

        if (MaxRetries < 0 || RetryDelay <= TimeSpan.Zero || RetryMaxDelay < RetryDelay || NetworkTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException(
                $"Blob retry settings need max retries >= 0, 0 < retry delay <= retry max delay, and a positive network timeout (got {MaxRetries}, {RetryDelay.TotalMilliseconds} ms, {RetryMaxDelay.TotalMilliseconds} ms, {NetworkTimeout.TotalMilliseconds} ms).");
        }

        _ = AzureBlobClients.CreateServiceClient(ConnectionString, new global::Azure.Storage.Blobs.BlobClientOptions());
    }

    private static void ValidateContainerName(string container)
    {
        bool valid = container is { Length: >= 3 and <= 63 } &&
            container.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') &&
            container[0] != '-' && container[^1] != '-' && !container.Contains("--", StringComparison.Ordinal);
        if (!valid)
        {
            throw new ArgumentException($"Invalid blob container name '{container}': use 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.");
        }
    }
}
