using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Runnel.Runtime;
using Runnel.Silo.Runtime;

namespace Runnel.Silo.Tests.Runtime;

public sealed class GrainRuntimeTests : IAsyncLifetime
{
    private readonly ProbeLog _log = new();
    private GrainRuntime _runtime = null!;

    public Task InitializeAsync()
    {
        var registry = new GrainTypeRegistry();
        registry.Register<IProbeGrain>("probe", (sp, key) => new ProbeGrain(_log));
        var services = new ServiceCollection().BuildServiceProvider();
        var options = Options.Create(new GrainRuntimeOptions { IdleTimeout = TimeSpan.FromMilliseconds(50), CollectionInterval = TimeSpan.FromHours(1) });
        _runtime = new GrainRuntime(registry, services, options, NullLogger<GrainRuntime>.Instance);
        return _runtime.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _runtime.DisposeAsync();

    [Fact]
    public async Task First_call_activates_once_and_later_calls_reuse_the_activation()
    {
        GrainReference<IProbeGrain> grain = _runtime.GetGrain<IProbeGrain>("a");
        int[] results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => grain.InvokeAsync(g => g.IncrementAsync())));

        Assert.Equal(Enumerable.Range(1, 20), results.Order());
        Assert.Equal(1, _log.Activations);
        Assert.Equal(1, _runtime.ActivationCount);
    }

    [Fact]
    public async Task Calls_run_one_at_a_time_even_across_awaits()
    {
        GrainReference<IProbeGrain> grain = _runtime.GetGrain<IProbeGrain>("b");
        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => grain.InvokeAsync(g => g.SlowAsync())));

        Assert.Equal(1, _log.MaxConcurrentTurns);
    }

    [Fact]
    public async Task Different_keys_are_different_activations()
    {
        await _runtime.GetGrain<IProbeGrain>("x").InvokeAsync(g => g.IncrementAsync());
        int second = await _runtime.GetGrain<IProbeGrain>("y").InvokeAsync(g => g.IncrementAsync());

        Assert.Equal(1, second);
        Assert.Equal(2, _log.Activations);
    }

    [Fact]
    public async Task A_failing_call_faults_only_its_caller()
    {
        GrainReference<IProbeGrain> grain = _runtime.GetGrain<IProbeGrain>("c");
        await Assert.ThrowsAsync<InvalidOperationException>(() => grain.InvokeAsync(g => g.FailAsync()));

        Assert.Equal(1, await grain.InvokeAsync(g => g.IncrementAsync()));
    }

    [Fact]
    public async Task A_failed_activation_fails_its_calls_and_the_next_call_activates_again()
    {
        _log.FailNextActivation = true;
        GrainReference<IProbeGrain> grain = _runtime.GetGrain<IProbeGrain>("h");
        Task<int>[] calls = Enumerable.Range(0, 5).Select(_ => grain.InvokeAsync(g => g.IncrementAsync())).ToArray();
        foreach (Task<int> call in calls)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => call);
        }

        await WaitUntilAsync(() => _runtime.ActivationCount == 0);
        Assert.Equal(1, await grain.InvokeAsync(g => g.IncrementAsync()));
    }

    [Fact]
    public async Task Idle_activations_are_deactivated_and_reactivated_on_the_next_call()
    {
        GrainReference<IProbeGrain> grain = _runtime.GetGrain<IProbeGrain>("d");
        Assert.Equal(1, await grain.InvokeAsync(g => g.IncrementAsync()));
        await Task.Delay(200);
        _runtime.CollectIdle();
        await WaitUntilAsync(() => _log.Deactivations == 1);

        // State lived in the old activation; a new one starts from scratch.
        Assert.Equal(1, await grain.InvokeAsync(g => g.IncrementAsync()));
        Assert.Equal(2, _log.Activations);
    }

    [Fact]
    public async Task Kept_alive_activations_survive_idle_collection()
    {
        GrainReference<IProbeGrain> grain = _runtime.GetGrain<IProbeGrain>("e");
        await grain.InvokeAsync(g => g.KeepAliveAsync());
        await Task.Delay(200);
        _runtime.CollectIdle();
        await Task.Delay(100);

        Assert.Equal(0, _log.Deactivations);
        Assert.Equal(2, await grain.InvokeAsync(g => g.IncrementAsync()));
    }

    [Fact]
    public async Task Timer_ticks_run_as_turns_between_calls()
    {
        GrainReference<IProbeGrain> grain = _runtime.GetGrain<IProbeGrain>("f");
        await grain.InvokeAsync(g => g.StartTimerAsync());
        for (int i = 0; i < 30; i++)
        {
            await grain.InvokeAsync(g => g.SlowAsync());
        }

        await WaitUntilAsync(() => _log.Ticks >= 3);
        Assert.Equal(1, _log.MaxConcurrentTurns);
    }

    [Fact]
    public async Task Shutdown_deactivates_every_activation()
    {
        await _runtime.GetGrain<IProbeGrain>("g1").InvokeAsync(g => g.IncrementAsync());
        await _runtime.GetGrain<IProbeGrain>("g2").InvokeAsync(g => g.IncrementAsync());
        await _runtime.StopAsync(CancellationToken.None);

        Assert.Equal(2, _log.Deactivations);
        Assert.Equal(0, _runtime.ActivationCount);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition());
    }

    public interface IProbeGrain : IGrainWithStringKey
    {
        Task<int> IncrementAsync();

        Task<int> SlowAsync();

        Task<int> FailAsync();

        Task<int> KeepAliveAsync();

        Task<int> StartTimerAsync();
    }

    private sealed class ProbeLog
    {
        private int _inTurn;
        private int _maxConcurrent;
        public int Activations;
        public int Deactivations;
        public int Ticks;
        public volatile bool FailNextActivation;

        public int MaxConcurrentTurns => Volatile.Read(ref _maxConcurrent);

        public void Enter()
        {
            int now = Interlocked.Increment(ref _inTurn);
            int seen;
            while (now > (seen = Volatile.Read(ref _maxConcurrent)) && Interlocked.CompareExchange(ref _maxConcurrent, now, seen) != seen)
            {
            }
        }

        public void Exit() => Interlocked.Decrement(ref _inTurn);
    }

    private sealed class ProbeGrain(ProbeLog log) : Grain, IProbeGrain
    {
        private int _count;

        public override Task OnActivateAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref log.Activations);
            if (log.FailNextActivation)
            {
                log.FailNextActivation = false;
                throw new InvalidOperationException("activation failed on purpose");
            }

            return Task.CompletedTask;
        }

        public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref log.Deactivations);
            return Task.CompletedTask;
        }

        public Task<int> IncrementAsync() => Task.FromResult(++_count);

        public async Task<int> SlowAsync()
        {
            log.Enter();
            try
            {
                await Task.Delay(2);
                await Task.Yield();
                return ++_count;
            }
            finally
            {
                log.Exit();
            }
        }

        public Task<int> FailAsync() => throw new InvalidOperationException("boom");

        public Task<int> KeepAliveAsync()
        {
            Context.KeepAlive();
            return Task.FromResult(++_count);
        }

        public Task<int> StartTimerAsync()
        {
            Context.RegisterTimer(
                async _ =>
                {
                    log.Enter();
                    try
                    {
                        await Task.Delay(5);
                        Interlocked.Increment(ref log.Ticks);
                    }
                    finally
                    {
                        log.Exit();
                    }
                },
                TimeSpan.FromMilliseconds(5),
                TimeSpan.FromMilliseconds(10));
            return Task.FromResult(++_count);
        }
    }
}
