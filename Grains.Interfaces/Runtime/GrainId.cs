namespace Runnel.Runtime;

/// <summary>
/// The identity of a grain: its type and a string key, e.g. (partition, "orders/7") or (group, "billing").
/// A grain exists virtually for every identity; the runtime activates it on the first call.
/// </summary>
public readonly record struct GrainId(string Type, string Key)
{
    public override string ToString() => Type + "/" + Key;
}
