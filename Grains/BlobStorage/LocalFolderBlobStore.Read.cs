using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Runnel.Grains.BlobStorage;

/// <summary>Reads and listings. They take no lock: a blob file is only ever replaced by a rename, never changed in place.</summary>
public sealed partial class LocalFolderBlobStore
{
    public async Task<BlobContent?> GetAsync(string name, CancellationToken cancellationToken)
    {
        string path = PathOf(name);
        long start = Stopwatch.GetTimestamp();
        string status = "io_error";
        long received = 0;
        try
        {
            using var file = LocalBlobFile.TryOpen(path);
            if (file is null)
            {
                status = "not_found";
                return null;
            }

            var (etag, length) = LocalBlobFile.ReadHeader(file, path);
            if (length > Array.MaxLength)
            {
                throw new BlobStoreException($"Blob '{name}' ({length} bytes) is too large to read whole; read it in ranges.");
            }

            var content = new byte[length];
            received = await ReadFullyAsync(file, content, LocalBlobFile.HeaderSize, cancellationToken).ConfigureAwait(false);
            status = "ok";
            return new BlobContent(content, etag, File.GetLastWriteTimeUtc(path));
        }
        catch (Exception e)
        {
            status = StatusOf(e, status);
            throw;
        }
        finally
        {
            _metrics.RecordRequest("get", status, start, 0, received);
        }
    }

    public async Task<int> GetRangeAsync(string name, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        string path = PathOf(name);
        long start = Stopwatch.GetTimestamp();
        string status = "io_error";
        int received = 0;
        try
        {
            using var file = LocalBlobFile.TryOpen(path) ?? throw new BlobNotFoundException(name, 0, null);
            var (_, length) = LocalBlobFile.ReadHeader(file, path);
            if (offset < length)
            {
                var slice = destination[..(int)Math.Min(destination.Length, length - offset)];
                received = await ReadFullyAsync(file, slice, LocalBlobFile.HeaderSize + offset, cancellationToken).ConfigureAwait(false);
            }

            status = "ok";
            return received;
        }
        catch (Exception e)
        {
            status = StatusOf(e, status);
            throw;
        }
        finally
        {
            _metrics.RecordRequest("get_range", status, start, 0, received);
        }
    }

    public Task<BlobProperties?> GetPropertiesAsync(string name, CancellationToken cancellationToken)
    {
        string path = PathOf(name);
        cancellationToken.ThrowIfCancellationRequested();
        long start = Stopwatch.GetTimestamp();
        string status = "io_error";
        try
        {
            using var file = LocalBlobFile.TryOpen(path);
            if (file is null)
            {
                status = "not_found";
                return Task.FromResult<BlobProperties?>(null);
            }

            var (etag, length) = LocalBlobFile.ReadHeader(file, path);
            status = "ok";
            return Task.FromResult<BlobProperties?>(new BlobProperties(length, etag, File.GetLastWriteTimeUtc(path)));
        }
        finally
        {
            _metrics.RecordRequest("get_properties", status, start, 0, 0);
        }
    }

    /// <summary>
    /// Lists by walking the folder under the prefix's last '/', sorting the names, then reading headers a page
    /// (<see cref="LocalFolderBlobStoreOptions.ListPageSize"/>) at a time; a blob deleted meanwhile is skipped.
    /// </summary>
    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        BlobName.ValidatePrefix(prefix);
        int folderEnd = prefix.LastIndexOf('/');
        string folder = folderEnd < 0 ? _root : Path.Combine(_root, prefix[..folderEnd].Replace('/', Path.DirectorySeparatorChar));
        var names = Directory.Exists(folder) ? CollectNames(folder, prefix) : [];
        names.Sort(StringComparer.Ordinal);
        for (int first = 0; first < names.Count; first += _options.ListPageSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            var page = new List<BlobItem>(_options.ListPageSize);
            string status = "io_error";
            try
            {
                foreach (var name in names.Skip(first).Take(_options.ListPageSize))
                {
                    string path = PathOf(name);
                    using var file = LocalBlobFile.TryOpen(path);
                    if (file is not null)
                    {
                        var (etag, length) = LocalBlobFile.ReadHeader(file, path);
                        page.Add(new BlobItem(name, length, etag, File.GetLastWriteTimeUtc(path)));
                    }
                }

                status = "ok";
            }
            finally
            {
                _metrics.RecordRequest("list", status, start, 0, 0);
            }

            foreach (var item in page)
            {
                yield return item;
            }

            await Task.Yield();
        }
    }

    private List<string> CollectNames(string folder, string prefix)
    {
        var names = new List<string>();
        string internalFolder = Path.Combine(_root, InternalFolder) + Path.DirectorySeparatorChar;
        foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            if (path.StartsWith(internalFolder, StringComparison.Ordinal))
            {
                continue;
            }

            string name = Path.GetRelativePath(_root, path).Replace(Path.DirectorySeparatorChar, '/');
            if (name.StartsWith(prefix, StringComparison.Ordinal) && BlobName.IsValid(name))
            {
                names.Add(name);
            }
        }

        return names;
    }

    private static async Task<int> ReadFullyAsync(Microsoft.Win32.SafeHandles.SafeFileHandle file, Memory<byte> destination, long fileOffset, CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int read = await RandomAccess.ReadAsync(file, destination[total..], fileOffset + total, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
