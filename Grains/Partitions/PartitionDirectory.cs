using System.Collections.Concurrent;

namespace Runnel.Grains.Partitions;

/// <summary>
/// The silo's open partitions, for reads outside grain turns. A partition grain registers its reader when it
/// activates and removes it when it deactivates or its topic is deleted.
/// </summary>
public sealed class PartitionDirectory
{
    private readonly ConcurrentDictionary<(string Topic, int Partition), IPartitionReader> _readers = new();

    public int Count => _readers.Count;

    /// <summary>The open partitions now.</summary>
    public IReadOnlyList<IPartitionReader> All() => [.. _readers.Values];

    public bool TryGet(string topic, int partition, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPartitionReader? reader)
        => _readers.TryGetValue((topic, partition), out reader);

    internal void Register(IPartitionReader reader) => _readers[(reader.Topic, reader.Partition)] = reader;

    internal void Unregister(IPartitionReader reader)
        => _readers.TryRemove(new KeyValuePair<(string, int), IPartitionReader>((reader.Topic, reader.Partition), reader));
}
