using Microsoft.Extensions.Logging;
using Runnel.Grains.Storage;

namespace Runnel.Grains.BlobStorage;

/// <summary>The folder tree behind the names: created durably for a write, pruned after a delete, staging leftovers removed.</summary>
public sealed partial class LocalFolderBlobStore
{
    /// <summary>Creates the blob's folders; each new one is made durable in its parent.</summary>
    private void CreateFolders(string name, string folder)
    {
        if (Directory.Exists(folder))
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (IOException e)
        {
            throw new BlobStoreException($"Cannot write blob '{name}': a shorter name is a blob in the local store, and a file cannot also be a folder.", e);
        }

        for (string? dir = folder; dir is not null && dir.Length > _root.Length; dir = Path.GetDirectoryName(dir))
        {
            DurableFile.SyncDirectory(Path.GetDirectoryName(dir)!);
        }
    }

    /// <summary>Removes the folders a delete left empty, up to the root, so they cannot collide with a future blob name.</summary>
    private void RemoveEmptyFolders(string folder)
    {
        for (string? dir = folder; dir is not null && dir.Length > _root.Length; dir = Path.GetDirectoryName(dir))
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(dir).Any())
                {
                    return;
                }

                Directory.Delete(dir);
            }
            catch (IOException)
            {
                return; // not empty after all, or gone: either way nothing more to tidy
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // left for RemoveAbandonedStagingFiles
        }
    }

    /// <summary>Staging files of writes a crash interrupted; young ones may belong to another process writing now.</summary>
    private void RemoveAbandonedStagingFiles()
    {
        int removed = 0;
        foreach (var file in new DirectoryInfo(_staging).EnumerateFiles("*.tmp"))
        {
            if (DateTime.UtcNow - file.LastWriteTimeUtc > s_abandonedStagingAge)
            {
                TryDelete(file.FullName);
                removed++;
            }
        }

        if (removed > 0)
        {
            BlobStorageLog.StagingCleaned(_logger, removed, _staging);
        }
    }
}
