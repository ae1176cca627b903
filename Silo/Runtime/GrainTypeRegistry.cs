using Runnel.Runtime;

namespace Runnel.Silo.Runtime;

/// <summary>Maps each grain interface to the factory of its implementation and the type name used in grain ids.</summary>
public sealed class GrainTypeRegistry
{
    private readonly Dictionary<Type, Registration> _byInterface = new();

    public void Register<TInterface>(string typeName, Func<IServiceProvider, string, Grain> factory)
        where TInterface : IGrain
        => _byInterface[typeof(TInterface)] = new Registration(typeName, factory);

    internal Registration Get(Type grainInterface)
        => _byInterface.TryGetValue(grainInterface, out Registration? registration)
            ? registration
            : throw new InvalidOperationException($"No grain class is registered for {grainInterface.Name}.");

    internal sealed record Registration(string TypeName, Func<IServiceProvider, string, Grain> Factory);
}
