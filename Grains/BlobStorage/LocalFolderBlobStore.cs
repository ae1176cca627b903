using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Runnel.Grains.Storage;

namespace Runnel.Grains.BlobStorage;

/// <summary>
/// The default blob store: one file per blob under a folder, the name's segments as sub-folders. Enough for
/// one silo; nothing to install or configure.
/// </summary>
/// <remarks>
/// Guarantees: a write is all-or-nothing and durable when it returns (staging file, fsync, atomic rename over
/// the old version, fsync of the folder), so readers and a crash see the old blob or the new one. Every
/// mutation (put, delete) checks its condition and renames under <see cref="LocalFolderLock"/>, so
/// compare-and-swap is atomic among all tasks and all processes of this machine using the folder; not across
/// machines sharing it over a network file system. A name cannot be both a blob and a prefix of a longer
/// name ("a" and "a/b"): a folder cannot also be a file. The blob tier's names never do that.
/// </remarks>
public sealed partial class LocalFolderBlobStore : IBlobStore
{
    private const string InternalFolder = BlobName.ReservedPrefix;
    private const int CopyBufferBytes = 1024 * 1024;
    private static readonly TimeSpan s_abandonedStagingAge = TimeSpan.FromHours(1);

    private readonly string _root;
    private readonly string _staging;
    private readonly LocalFolderBlobStoreOptions _options;
    private readonly LocalFolderLock _lock;
    private readonly BlobStoreMetrics _metrics;
    private readonly ILogger _logger;

    /// <param name="rootPath">The folder (created if missing).</param>
    /// <param name="options">How many files a listing reads per step (<see cref="LocalFolderBlobStoreOptions.ListPageSize"/>).</param>
    public LocalFolderBlobStore(string rootPath, LocalFolderBlobStoreOptions? options = null, ILogger<LocalFolderBlobStore>? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootPath);
        _options = options ?? new LocalFolderBlobStoreOptions();
        _options.Validate();
        _root = Path.GetFullPath(rootPath);
        _staging = Path.Combine(_root, InternalFolder, "staging");
        Directory.CreateDirectory(_staging);
        _lock = new LocalFolderLock(Path.Combine(_root, InternalFolder, "lock"));
        _metrics = new BlobStoreMetrics(meterFactory);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        BlobStorageLog.LocalStoreOpened(_logger, _root);
        RemoveAbandonedStagingFiles();
    }

    /// <summary>The full path of the store's folder.</summary>
    public string RootPath => _root;

    public Task<string> PutAsync(string name, ReadOnlyMemory<byte> content, BlobCondition condition, CancellationToken cancellationToken) =>
        PutCoreAsync(name, content, null, condition, cancellationToken);

    public Task<string> PutAsync(string name, Stream content, BlobCondition condition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        return PutCoreAsync(name, ReadOnlyMemory<byte>.Empty, content, condition, cancellationToken);
    }

    public async Task<bool> DeleteAsync(string name, string? ifMatch, CancellationToken cancellationToken)
    {
        string path = PathOf(name);
        long start = Stopwatch.GetTimestamp();
        string status = "io_error";
        try
        {
            using (await _lock.AcquireAsync(cancellationToken).ConfigureAwait(false))
            {
                string? current = CurrentETag(path);
                if (current is null)
                {
                    status = "not_found";
                    return false;
                }

                if (ifMatch is not null && !string.Equals(ifMatch, current, StringComparison.Ordinal))
                {
                    throw new BlobConditionFailedException(name, BlobCondition.IfMatch(ifMatch));
                }

                File.Delete(path);
                string folder = Path.GetDirectoryName(path)!;
                DurableFile.SyncDirectory(folder);
                RemoveEmptyFolders(folder);
            }

            status = "ok";
            return true;
        }
        catch (Exception e)
        {
            status = StatusOf(e, status);
            throw;
        }
        finally
        {
            _metrics.RecordRequest("delete", status, start, 0, 0);
        }
    }

    public ValueTask DisposeAsync()
    {
        _lock.Dispose();
        _metrics.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<string> PutCoreAsync(string name, ReadOnlyMemory<byte> content, Stream? stream, BlobCondition condition, CancellationToken cancellationToken)
    {
        string path = PathOf(name);
        long start = Stopwatch.GetTimestamp();
        string status = "io_error";
        long written = 0;
        string staging = Path.Combine(_staging, Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            string etag;
            (etag, written) = await WriteStagingFileAsync(staging, content, stream, cancellationToken).ConfigureAwait(false);
            using (await _lock.AcquireAsync(cancellationToken).ConfigureAwait(false))
            {
                CheckCondition(name, path, condition);
                string folder = Path.GetDirectoryName(path)!;
                CreateFolders(name, folder);
                if (Directory.Exists(path))
                {
                    throw new BlobStoreException($"Cannot write blob '{name}': the local store holds longer names under it ('{name}/...'), and a folder cannot also be a file.");
                }

                File.Move(staging, path, overwrite: true);
                DurableFile.SyncDirectory(folder);
            }

            status = "ok";
            return etag;
        }
        catch (Exception e)
        {
            status = StatusOf(e, status);
            TryDelete(staging);
            throw;
        }
        finally
        {
            _metrics.RecordRequest("put", status, start, status == "ok" ? written : 0, 0); // like Azure: bytes of writes that took effect
        }
    }

    /// <summary>Writes header and content to the staging file and fsyncs it; returns the new ETag and the content length.</summary>
    private static async Task<(string ETag, long Length)> WriteStagingFileAsync(string staging, ReadOnlyMemory<byte> content, Stream? stream, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(staging, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true);
        byte[] header = LocalBlobFile.NewHeader(content.Length, out string etag);
        await file.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        long length = content.Length;
        if (stream is null)
        {
            await file.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await CopyAsync(stream, file, cancellationToken).ConfigureAwait(false);
            length = file.Position - LocalBlobFile.HeaderSize;
            LocalBlobFile.SetContentLength(header, length);
            file.Position = 0;
            await file.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        }

        file.Flush(flushToDisk: true);
        return (etag, length);
    }

    /// <summary>
    /// Copies in 1 MiB writes and has the OS write each one back at once: a segment is 1 GiB, and left to the final
    /// fsync, that much dirty data stalls the log's own appends (see <see cref="Storage.WritebackHint"/>).
    /// </summary>
    private static async Task CopyAsync(Stream source, FileStream file, CancellationToken cancellationToken)
    {
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, CopyBufferBytes), cancellationToken).ConfigureAwait(false)) > 0)
            {
                long position = file.Position;
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                Storage.WritebackHint.Start(file.SafeFileHandle, position, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void CheckCondition(string name, string path, BlobCondition condition)
    {
        if (condition.Kind == BlobConditionKind.None)
        {
            return;
        }

        string? current = CurrentETag(path);
        bool holds = condition.Kind == BlobConditionKind.IfNoneMatch
            ? current is null
            : current is not null && string.Equals(current, condition.ETag, StringComparison.Ordinal);
        if (!holds)
        {
            throw new BlobConditionFailedException(name, condition);
        }
    }

    private static string? CurrentETag(string path)
    {
        using var file = LocalBlobFile.TryOpen(path);
        return file is null ? null : LocalBlobFile.ReadHeader(file, path).ETag;
    }

    private string PathOf(string name)
    {
        BlobName.Validate(name);
        return Path.Combine(_root, name.Replace('/', Path.DirectorySeparatorChar));
    }

    private static string StatusOf(Exception e, string current) => e switch
    {
        BlobConditionFailedException => "condition_failed",
        BlobNotFoundException => "not_found",
        OperationCanceledException => "canceled",
        _ => current,
    };
}
