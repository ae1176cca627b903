using System.Text.Json;
using System.Text.Json.Serialization;
using Runnel.Grains.BlobStorage;

namespace Runnel.Grains.Cluster;

/// <summary>
/// A partition's leadership in a cluster, fenced by compare-and-swap on a blob beside its manifest: the node that
/// leads it, the leader epoch it claimed, and the offset ceiling below which it may append. A new leader claims with
/// a higher epoch and starts at or above the previous leader's ceiling, so no offset is ever used twice, even for
/// records only a dead leader held; a leader whose extension fails has been replaced and stops.
/// </summary>
public sealed class PartitionLease
{
    /// <summary>Offsets reserved ahead of the log end: at most this many go unused when a leader dies (offsets are 64-bit).</summary>
    public const long ReserveAhead = 1L << 26;

    private readonly IBlobStore _store;
    private readonly string _name;
    private LeaseDocument _document;
    private string _etag;

    private PartitionLease(IBlobStore store, string name, LeaseDocument document, string etag)
    {
        _store = store;
        _name = name;
        _document = document;
        _etag = etag;
    }

    public int Epoch => _document.Epoch;

    /// <summary>Appends must stay below this offset until an extension raises it.</summary>
    public long Ceiling => Volatile.Read(ref _document).Ceiling;

    /// <summary>
    /// Claims leadership of the partition for <paramref name="node"/> at <paramref name="epoch"/>.
    /// </summary>
    /// <returns>The lease, and the previous claim: whether this node was the last to lead (its local data is then current) and the offset new records must start at or above.</returns>
    /// <exception cref="LeaseLostException">A later epoch has claimed the partition; this node must not lead it.</exception>
    public static async Task<(PartitionLease Lease, LeaseClaim Claim)> ClaimAsync(IBlobStore store, string name, int node, int epoch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        for (int attempt = 1; ; attempt++)
        {
            BlobContent? current = await store.GetAsync(name, cancellationToken).ConfigureAwait(false);
            LeaseDocument? previous = current is null ? null : Decode(current.Content.Span, name);
            if (previous is not null && previous.Epoch > epoch)
            {
                throw new LeaseLostException($"Epoch {previous.Epoch} of node {previous.Node} already claimed {name}; this node holds epoch {epoch}.");
            }

            // The last claimant's data is current: nobody else appended since. Anyone else starts above its ceiling.
            bool wasLastLeader = previous is null || previous.Node == node;
            long floor = wasLastLeader ? 0 : previous!.Ceiling;
            // Ceilings never go down: a later leader starts above every offset any earlier one may have used.
            var claimed = new LeaseDocument { Node = node, Epoch = epoch, Ceiling = Math.Max(previous?.Ceiling ?? 0, floor + ReserveAhead) };
            try
            {
                string etag = await store.PutAsync(name, Encode(claimed), current is null ? BlobCondition.IfNoneMatch : BlobCondition.IfMatch(current.ETag), cancellationToken).ConfigureAwait(false);
                return (new PartitionLease(store, name, claimed, etag), new LeaseClaim(wasLastLeader, floor, previous?.Node ?? -1));
            }
            catch (BlobConditionFailedException) when (attempt < 5)
            {
                // Raced with another claim: read it and decide again.
            }
        }
    }

    /// <summary>The node that claimed the partition last, or -1 when none ever did.</summary>
    public static async Task<int> LastClaimantAsync(IBlobStore store, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        BlobContent? current = await store.GetAsync(name, cancellationToken).ConfigureAwait(false);
        return current is null ? -1 : Decode(current.Content.Span, name).Node;
    }

    /// <summary>Whether the log end has used half of the reserve, so the ceiling should be raised now, off the append path.</summary>
    public bool ShouldExtend(long logEnd) => logEnd > Ceiling - (ReserveAhead / 2);

    /// <summary>
    /// Raises the ceiling to <paramref name="logEnd"/> + <see cref="ReserveAhead"/>. Returns false when another claim
    /// replaced this one: the partition has a new leader and this node must stop appending.
    /// </summary>
    public async Task<bool> ExtendAsync(long logEnd, CancellationToken cancellationToken)
    {
        var extended = new LeaseDocument { Node = _document.Node, Epoch = _document.Epoch, Ceiling = Math.Max(_document.Ceiling, logEnd + ReserveAhead) };
        try
        {
            _etag = await _store.PutAsync(_name, Encode(extended), BlobCondition.IfMatch(_etag), cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _document, extended);
            return true;
        }
        catch (BlobConditionFailedException)
        {
            return false;
        }
    }

    /// <summary>
    /// A planned hand-over: lowers the ceiling to <paramref name="logEnd"/>, which the caller guarantees is the end of
    /// everything it appended (it stopped appending and the blob tier holds it all), so the next leader continues at
    /// exactly that offset instead of leaving a gap. Returns false when another claim replaced this one.
    /// </summary>
    public async Task<bool> HandOverAsync(long logEnd, CancellationToken cancellationToken)
    {
        var handedOver = new LeaseDocument { Node = _document.Node, Epoch = _document.Epoch, Ceiling = logEnd };
        try
        {
            _etag = await _store.PutAsync(_name, Encode(handedOver), BlobCondition.IfMatch(_etag), cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _document, handedOver);
            return true;
        }
        catch (BlobConditionFailedException)
        {
            return false;
        }
    }

    private static byte[] Encode(LeaseDocument document) => JsonSerializer.SerializeToUtf8Bytes(document, LeaseJsonContext.Default.LeaseDocument);

    private static LeaseDocument Decode(ReadOnlySpan<byte> content, string name)
    {
        try
        {
            return JsonSerializer.Deserialize(content, LeaseJsonContext.Default.LeaseDocument) ?? throw new InvalidDataException($"The lease {name} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The lease {name} is not valid JSON: {e.Message}", e);
        }
    }
}

/// <summary>What a claim found: whether this node was the last leader, the offset floor for new records, and the previous leader (-1: none).</summary>
public readonly record struct LeaseClaim(bool WasLastLeader, long OffsetFloor, int PreviousLeader);

/// <summary>The partition was claimed by a later leader epoch.</summary>
public sealed class LeaseLostException : Exception
{
    public LeaseLostException()
    {
    }

    public LeaseLostException(string message)
        : base(message)
    {
    }

    public LeaseLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

internal sealed class LeaseDocument
{
    public int Node { get; set; }

    public int Epoch { get; set; }

    public long Ceiling { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(LeaseDocument))]
internal sealed partial class LeaseJsonContext : JsonSerializerContext;
