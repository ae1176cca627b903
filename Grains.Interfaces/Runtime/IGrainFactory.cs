namespace Runnel.Runtime;

/// <summary>Hands out references to grains. A reference is cheap; the activation behind it is created on first call.</summary>
public interface IGrainFactory
{
    GrainReference<TGrain> GetGrain<TGrain>(string key)
        where TGrain : IGrainWithStringKey;
}
