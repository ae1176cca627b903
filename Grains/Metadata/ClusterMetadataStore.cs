using System.Diagnostics;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.Topics;
using Runnel.Protocol;

namespace Runnel.Grains.Metadata;

/// <summary>
/// The cluster's metadata as this silo sees it: topics (name, id, partition count, config overrides, partition
/// leaders), the registered brokers and the producer id high-water mark. One silo keeps it in a file of its data
/// folder; a cluster shares one blob. Every change is a compare-and-swap on the stored version, applied again on
/// the newer version after a conflict, and visible only once stored. Reads are lock-free on an immutable snapshot.
/// </summary>
public sealed partial class ClusterMetadataStore
{
    public const string FileName = "cluster-metadata.json";

    /// <summary>Producer ids are reserved this many at a time, so the store is written once per block, not per id.</summary>
    public const int ProducerIdBlockSize = 1000;

    /// <summary>A guard against typos such as 1000000 partitions; each partition is a folder and an open file.</summary>
    public const int MaxPartitionCount = 100_000;

    /// <summary>Conflicting writers are rare (admin calls, the controller); a change that loses this often has a bug behind it.</summary>
    private const int MaxAttempts = 50;

    private readonly IMetadataPersistence _persistence;
    private readonly SemaphoreSlim _writes = new(1, 1);
    private long _lastRefreshStarted;
    private MetadataSnapshot _snapshot;

    private ClusterMetadataStore(IMetadataPersistence persistence, MetadataSnapshot snapshot)
    {
        _persistence = persistence;
        _snapshot = snapshot;
    }

    /// <summary>Raised after every change this silo stores or reads in, with the new snapshot.</summary>
    public event Action<MetadataSnapshot>? Changed;

    public MetadataSnapshot Current => Volatile.Read(ref _snapshot);

    /// <summary>Generated when the store is first created; Kafka clients see it in Metadata responses.</summary>
    public string ClusterId => Current.ClusterId;

    /// <summary>The metadata of one silo, in <see cref="FileName"/> of <paramref name="dataDirectory"/>, created empty the first time.</summary>
    public static Task<ClusterMetadataStore> OpenFileAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        Directory.CreateDirectory(dataDirectory);
        return OpenAsync(new FileMetadataPersistence(Path.Combine(dataDirectory, FileName)), cancellationToken);
    }

    /// <summary>The metadata a cluster shares in <paramref name="store"/>, created empty by the first silo that finds none.</summary>
    public static Task<ClusterMetadataStore> OpenSharedAsync(IBlobStore store, CancellationToken cancellationToken) =>
        OpenAsync(new BlobMetadataPersistence(store), cancellationToken);

    public IReadOnlyList<TopicMetadata> ListTopics() => [.. Current.Topics.Values];

    public bool TryGetTopic(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TopicMetadata? topic) => Current.TryGetTopic(name, out topic);

    public bool TryGetTopic(Guid topicId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TopicMetadata? topic) => Current.TryGetTopic(topicId, out topic);

    /// <summary>Reads the stored metadata if it changed since this silo's snapshot; returns whether it did.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        long asked = Stopwatch.GetTimestamp();

        // Under the write gate: a refresh must never publish an older version over a change stored meanwhile.
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A reread that began after this caller asked saw everything the caller could expect: many requests for
            // an unknown topic arriving together cost one or two reads of the shared metadata, not one each.
            if (_lastRefreshStarted > asked)
            {
                return false;
            }

            _lastRefreshStarted = Stopwatch.GetTimestamp();
            return await RefreshCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writes.Release();
        }
    }

    private async Task<bool> RefreshCoreAsync(CancellationToken cancellationToken)
    {
        string? version = await _persistence.VersionAsync(cancellationToken).ConfigureAwait(false);
        if (version is null || version == Current.Version)
        {
            return false;
        }

        StoredMetadata? stored = await _persistence.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (stored is null || stored.Version == Current.Version)
        {
            return false;
        }

        Publish(MetadataCodec.ToSnapshot(stored.Document, stored.Version));
        return true;
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the newest snapshot and stores the result with compare-and-swap, again
    /// on the newer version after a conflict. A change that returns no snapshot stores nothing (a refusal, or
    /// validate-only); its result is returned as it is.
    /// </summary>
    internal async Task<T> ChangeAsync<T>(Func<MetadataSnapshot, (MetadataSnapshot? Next, T Result)> change, Func<Exception, T> failed, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                MetadataSnapshot current = Current;
                (MetadataSnapshot? next, T result) = change(current);
                if (next is null)
                {
                    return result;
                }

                try
                {
                    string version = await _persistence.SaveAsync(MetadataCodec.ToDocument(next), current.Version, cancellationToken).ConfigureAwait(false);
                    Publish(next with { Version = version });
                    return result;
                }
                catch (MetadataConflictException) when (attempt < MaxAttempts)
                {
                    await RefreshCoreAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or BlobStoreException or MetadataConflictException or InvalidDataException)
                {
                    return failed(e);
                }
            }
        }
        finally
        {
            _writes.Release();
        }
    }

    private static async Task<ClusterMetadataStore> OpenAsync(IMetadataPersistence persistence, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            StoredMetadata? stored = await persistence.LoadAsync(cancellationToken).ConfigureAwait(false);
            if (stored is not null)
            {
                return new ClusterMetadataStore(persistence, MetadataCodec.ToSnapshot(stored.Document, stored.Version));
            }

            MetadataSnapshot empty = MetadataSnapshot.Empty(NewClusterId());
            try
            {
                string version = await persistence.SaveAsync(MetadataCodec.ToDocument(empty), null, cancellationToken).ConfigureAwait(false);
                return new ClusterMetadataStore(persistence, empty with { Version = version });
            }
            catch (MetadataConflictException) when (attempt < 3)
            {
                // Another silo created it first: read theirs.
            }
        }
    }

    private void Publish(MetadataSnapshot next)
    {
        Volatile.Write(ref _snapshot, next);
        Changed?.Invoke(next);
    }

    private static TopicOperationResult StorageFailed(Exception e) =>
        TopicOperationResult.Failed(ErrorCode.KafkaStorageError, $"The cluster metadata could not be saved: {e.Message}");

    /// <summary>Kafka cluster ids are a UUID in URL-safe base64 without padding (22 characters).</summary>
    private static string NewClusterId() =>
        Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
