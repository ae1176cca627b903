using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Runnel.Runtime;

namespace Runnel.Silo.Runtime;

/// <summary>
/// The silo's grain runtime: a directory of activations, activation on first call, idle collection and an
/// orderly deactivation of everything at shutdown.
/// </summary>
public sealed partial class GrainRuntime : IGrainFactory, IGrainCallInvoker, IHostedService, IAsyncDisposable
{
    private readonly ConcurrentDictionary<GrainId, GrainActivation> _activations = new();
    private readonly GrainTypeRegistry _types;
    private readonly IServiceProvider _services;
    private readonly GrainRuntimeOptions _options;
    private readonly ILogger<GrainRuntime> _logger;
    private readonly object _activationLock = new();
    private Timer? _collector;

    public GrainRuntime(GrainTypeRegistry types, IServiceProvider services, IOptions<GrainRuntimeOptions> options, ILogger<GrainRuntime> logger)
    {
        _types = types;
        _services = services;
        _options = options.Value;
        _logger = logger;
    }

    public int ActivationCount => _activations.Count;

    public GrainReference<TGrain> GetGrain<TGrain>(string key)
        where TGrain : IGrainWithStringKey
    {
        string typeName = _types.Get(typeof(TGrain)).TypeName;
        return new GrainReference<TGrain>(new GrainId(typeName, key), this);
    }

    public async Task<TResult> InvokeAsync<TGrain, TResult>(GrainId id, Func<TGrain, Task<TResult>> call, CancellationToken cancellationToken)
        where TGrain : IGrain
    {
        var item = new CallWorkItem<TGrain, TResult>(call);

        // An activation may be deactivating when we find it; then it refuses the item and a new one is made.
        for (int attempt = 0; ; attempt++)
        {
            GrainActivation activation = GetOrActivate(typeof(TGrain), id);
            if (await activation.TryEnqueueAsync(item, cancellationToken).ConfigureAwait(false))
            {
                return await item.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            if (attempt > 100)
            {
                throw new InvalidOperationException($"Grain {id} could not be activated: it keeps deactivating.");
            }

            await activation.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private GrainActivation GetOrActivate(Type grainInterface, GrainId id)
    {
        if (_activations.TryGetValue(id, out GrainActivation? existing) && !existing.IsDeactivating)
        {
            return existing;
        }

        lock (_activationLock)
        {
            if (_activations.TryGetValue(id, out existing) && !existing.IsDeactivating)
            {
                return existing;
            }

            if (existing is not null)
            {
                // Still finishing its deactivation turn: callers wait for it on Completion and retry.
                return existing;
            }

            GrainTypeRegistry.Registration registration = _types.Get(grainInterface);
            Grain grain = registration.Factory(_services, id.Key);
            var activation = new GrainActivation(id, grain, this, _options.MailboxCapacity, _logger);
            var activate = new ActivationWorkItem();
            activation.TryEnqueueAsync(activate, CancellationToken.None);
            _activations[id] = activation;
            LogActivated(_logger, id.ToString());
            activate.Task.ContinueWith(
                static (t, state) => ((GrainActivation)state!).BeginDeactivation(DeactivationReason.Requested),
                activation,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted,
                TaskScheduler.Default);
            return activation;
        }
    }

    internal void Deactivate(GrainActivation activation, DeactivationReason reason)
    {
        if (activation.BeginDeactivation(reason))
        {
            LogDeactivating(_logger, activation.GrainId.ToString(), reason);
        }
    }

    internal void OnDeactivated(GrainActivation activation)
        => _activations.TryRemove(new KeyValuePair<GrainId, GrainActivation>(activation.GrainId, activation));

    /// <summary>Deactivates activations idle for longer than the idle timeout, unless they asked to be kept alive.</summary>
    public void CollectIdle()
    {
        long idleLimit = (long)_options.IdleTimeout.TotalMilliseconds;
        foreach (KeyValuePair<GrainId, GrainActivation> entry in _activations)
        {
            GrainActivation activation = entry.Value;
            if (!activation.KeepsAlive && activation.IdleMilliseconds >= idleLimit)
            {
                Deactivate(activation, DeactivationReason.Idle);
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _collector = new Timer(static s => ((GrainRuntime)s!).CollectIdle(), this, _options.CollectionInterval, _options.CollectionInterval);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_collector is not null)
        {
            await _collector.DisposeAsync().ConfigureAwait(false);
        }

        var pending = new List<Task>();
        foreach (KeyValuePair<GrainId, GrainActivation> entry in _activations)
        {
            entry.Value.BeginDeactivation(DeactivationReason.Shutdown);
            pending.Add(entry.Value.Completion);
        }

        await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Activated grain {GrainId}")]
    private static partial void LogActivated(ILogger logger, string grainId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deactivating grain {GrainId} ({Reason})")]
    private static partial void LogDeactivating(ILogger logger, string grainId, DeactivationReason reason);
}
