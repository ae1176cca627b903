using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Runnel.Grains.Tests;
using Runnel.Silo.Hosting;
using Runnel.Silo.Hosting.CommandLine;
using Runnel.Silo.Transport;

namespace Runnel.Silo.Tests.Hosting;

/// <summary>What the composed silo resolves, checked without starting it.</summary>
public sealed class SiloCompositionTests
{
    [Fact]
    public async Task Kestrel_gets_the_silos_64_KiB_block_pool_not_its_own_default()
    {
        // The web host registers Kestrel's 4 KiB pool before Runnel's services are added; keeping it cost consumers
        // about a quarter of their throughput.
        using var data = new TempDirectory();
        SiloCommandLineResult parsed = SiloCommandLine.Parse(["--data", data.Path], _ => null);
        await using SiloHost host = SiloHost.Build(parsed.Configuration);

        Assert.IsType<LargeBlockMemoryPoolFactory>(host.Services.GetRequiredService<IMemoryPoolFactory<byte>>());
    }
}
