namespace Runnel.Grains.BlobStorage;

/// <summary>
/// The mutual exclusion of the local store's mutations: a semaphore for the tasks of this store instance, then
/// an exclusive OS lock on a lock file for other instances and other processes sharing the folder.
/// </summary>
/// <remarks>
/// .NET takes the OS lock for FileShare.None with flock(LOCK_EX) on Unix and a share-mode lock on Windows, so
/// every Runnel process (any instance of this class) on the same machine excludes the others. flock is advisory
/// and is not reliable on network file systems (NFS, SMB): one folder shared by machines is not supported, and
/// DOTNET_SYSTEM_IO_DISABLEFILELOCKING=1 turns the cross-process half off.
/// Only the short critical section (check the current ETag, rename, fsync the folder) runs under the lock;
/// the content is written to a staging file before it is taken.
/// </remarks>
internal sealed class LocalFolderLock : IDisposable
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(2);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _lockFilePath;

    public LocalFolderLock(string lockFilePath) => _lockFilePath = lockFilePath;

    public async Task<Releaser> AcquireAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                try
                {
                    var file = new FileStream(_lockFilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
                    return new Releaser(this, file);
                }
                catch (IOException) when (File.Exists(_lockFilePath))
                {
                    // another process holds it: poll, since flock offers no async wait
                    await Task.Delay(s_pollInterval, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>Releases the OS lock, then the semaphore.</summary>
    public readonly struct Releaser : IDisposable
    {
        private readonly LocalFolderLock _owner;
        private readonly FileStream _file;

        public Releaser(LocalFolderLock owner, FileStream file)
        {
            _owner = owner;
            _file = file;
        }

        public void Dispose()
        {
            _file.Dispose();
            _owner._gate.Release();
        }
    }
}
