namespace Runnel.Grains.BlobStorage;

/// <summary>Which <see cref="IBlobStore"/> a host registers as the blob tier (the host makes the choice; Grains only knows the interface).</summary>
public enum BlobStoreKind
{
    /// <summary><see cref="LocalFolderBlobStore"/>: a folder on this machine; the default, enough for one silo.</summary>
    Local,

    /// <summary>The Azure store of Runnel.BlobStorage.Azure: an Azure Storage account (or Azurite) through the Azure SDK.</summary>
    Azure,
}
