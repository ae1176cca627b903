namespace Runnel.Grains.BlobStorage;

/// <summary>Which <see cref="IBlobStore"/> <see cref="BlobStoreFactory"/> builds.</summary>
public enum BlobStoreKind
{
    /// <summary><see cref="LocalFolderBlobStore"/>: a folder on this machine; the default, enough for one silo.</summary>
    Local,

    /// <summary><see cref="AzureBlobStore"/>: an Azure Storage account (or Azurite) over the Blob REST API.</summary>
    Azure,
}
