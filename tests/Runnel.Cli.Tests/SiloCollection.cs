using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Cli.Tests;

/// <summary>One silo for every test class that talks to one; each test uses its own topics and groups.</summary>
[CollectionDefinition(Name)]
public sealed class SiloCollection : ICollectionFixture<SiloFixture>
{
    public const string Name = "silo";
}
