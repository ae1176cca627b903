namespace Runnel.Grains.Metadata;

/// <summary>
/// Where the cluster metadata document lives: a file of one silo, or a blob every silo of a cluster shares. Every
/// save is a compare-and-swap on the version the writer read, so two writers never silently overwrite each other.
/// </summary>
internal interface IMetadataPersistence
{
    /// <summary>The stored document and its version, or null when nothing is stored yet.</summary>
    /// <exception cref="InvalidDataException">What is stored is not a metadata document; starting empty would lose every topic.</exception>
    Task<StoredMetadata?> LoadAsync(CancellationToken cancellationToken);

    /// <summary>The version stored now (null: nothing stored), without reading the document.</summary>
    Task<string?> VersionAsync(CancellationToken cancellationToken);

    /// <summary>Saves <paramref name="document"/> if the stored version is still <paramref name="expectedVersion"/> (null: nothing stored).</summary>
    /// <returns>The new version.</returns>
    /// <exception cref="MetadataConflictException">Another writer saved in between; nothing was written.</exception>
    Task<string> SaveAsync(MetadataDocument document, string? expectedVersion, CancellationToken cancellationToken);
}

internal sealed record StoredMetadata(MetadataDocument Document, string Version);

/// <summary>The metadata changed since it was read; reread it and apply the change again.</summary>
public sealed class MetadataConflictException : Exception
{
    public MetadataConflictException()
    {
    }

    public MetadataConflictException(string message)
        : base(message)
    {
    }

    public MetadataConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
