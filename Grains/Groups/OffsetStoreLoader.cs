using Microsoft.Extensions.Hosting;

namespace Runnel.Grains.Groups;

/// <summary>
/// Loads the offset store while the silo starts. Group grains wait for <see cref="OffsetStore.WhenLoaded"/>, so a
/// group request that arrives early is held rather than answered from a half-read view.
/// </summary>
public sealed class OffsetStoreLoader : IHostedService
{
    private readonly OffsetStore _store;

    public OffsetStoreLoader(OffsetStore store) => _store = store;

    public Task StartAsync(CancellationToken cancellationToken) => _store.LoadAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
