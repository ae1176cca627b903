using Runnel.Runtime;

namespace Runnel.Silo.Runtime;

public static class GrainRuntimeServiceCollectionExtensions
{
    /// <summary>Adds the grain runtime; <paramref name="configure"/> registers the grain classes.</summary>
    public static IServiceCollection AddGrainRuntime(this IServiceCollection services, Action<GrainTypeRegistry> configure)
    {
        var registry = new GrainTypeRegistry();
        configure(registry);
        services.AddSingleton(registry);
        services.AddSingleton<GrainRuntime>();
        services.AddSingleton<IGrainFactory>(sp => sp.GetRequiredService<GrainRuntime>());
        services.AddHostedService(sp => sp.GetRequiredService<GrainRuntime>());
        return services;
    }
}
