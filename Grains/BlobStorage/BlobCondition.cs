namespace Runnel.Grains.BlobStorage;

/// <summary>What must be true of the current blob for a write to happen (HTTP If-Match / If-None-Match semantics).</summary>
public readonly record struct BlobCondition
{
    private BlobCondition(BlobConditionKind kind, string? etag)
    {
        Kind = kind;
        ETag = etag;
    }

    public BlobConditionKind Kind { get; }

    /// <summary>The ETag an <see cref="BlobConditionKind.IfMatch"/> condition compares with; null otherwise.</summary>
    public string? ETag { get; }

    /// <summary>Unconditional: the write replaces whatever is there (last writer wins).</summary>
    public static BlobCondition None => default;

    /// <summary>If-None-Match: *: create only; fails when a blob of that name exists.</summary>
    public static BlobCondition IfNoneMatch { get; } = new(BlobConditionKind.IfNoneMatch, null);

    /// <summary>If-Match: compare-and-swap; fails unless the blob exists with exactly this ETag.</summary>
    public static BlobCondition IfMatch(string etag)
    {
        ArgumentException.ThrowIfNullOrEmpty(etag);
        return new BlobCondition(BlobConditionKind.IfMatch, etag);
    }

    public override string ToString() => Kind switch
    {
        BlobConditionKind.IfNoneMatch => "If-None-Match: *",
        BlobConditionKind.IfMatch => "If-Match: " + ETag,
        _ => "unconditional",
    };
}
