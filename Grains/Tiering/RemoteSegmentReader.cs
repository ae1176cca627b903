using Runnel.Grains.BlobStorage;
using Runnel.Grains.Storage;

namespace Runnel.Grains.Tiering;

/// <summary>The log's view of the blob tier: ranged reads of segment objects and whole reads of index objects.</summary>
internal sealed class RemoteSegmentReader : IRemoteSegmentSource
{
    private readonly IBlobStore _store;

    public RemoteSegmentReader(IBlobStore store) => _store = store;

    public async ValueTask<int> ReadAsync(RemoteCopy copy, long position, Memory<byte> destination, CancellationToken cancellationToken) =>
        await _store.GetRangeAsync(copy.ObjectName, position, destination, cancellationToken).ConfigureAwait(false);

    public async ValueTask<ReadOnlyMemory<byte>> ReadIndexAsync(RemoteCopy copy, CancellationToken cancellationToken)
    {
        BlobContent content = await _store.GetAsync(copy.IndexObjectName, cancellationToken).ConfigureAwait(false)
            ?? throw new BlobNotFoundException($"The index object {copy.IndexObjectName} is missing.");
        return content.Content;
    }
}
