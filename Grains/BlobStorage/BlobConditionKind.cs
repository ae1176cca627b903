namespace Runnel.Grains.BlobStorage;

/// <summary>The kinds of <see cref="BlobCondition"/>.</summary>
public enum BlobConditionKind
{
    None,
    IfNoneMatch,
    IfMatch,
}
