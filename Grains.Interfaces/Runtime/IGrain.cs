namespace Runnel.Runtime;

/// <summary>Marker for grain interfaces. A grain interface is what callers see; the class implementing it runs in a silo.</summary>
public interface IGrain
{
}

/// <summary>A grain identified by a string key.</summary>
public interface IGrainWithStringKey : IGrain
{
}
