using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace Runnel.Silo.Transport;

/// <summary>Hands Kestrel's transports <see cref="LargeBlockMemoryPool"/>s (registered in place of Kestrel's default factory).</summary>
public sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
}
