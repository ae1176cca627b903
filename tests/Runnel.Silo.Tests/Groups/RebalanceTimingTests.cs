using System.Diagnostics;
using Runnel.Silo.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Runnel.Silo.Tests.Groups;

/// <summary>
/// How long a 3-member group takes to rebalance after one member leaves cleanly: from the LeaveGroup request to
/// both survivors holding their SyncGroup answer of the new generation. The raw members heartbeat every 100 ms,
/// so the figure is the coordinator's cost plus at most one heartbeat interval (clients' default is 3 s).
/// </summary>
public sealed class RebalanceTimingTests(SiloFixture fixture, ITestOutputHelper output) : IClassFixture<SiloFixture>
{
    private const int HeartbeatMs = 100;
    private readonly SiloProcess _silo = fixture.Silo;

    [Fact]
    public async Task ThreeMemberGroupRebalancesQuicklyAfterACleanLeave()
    {
        var group = TestData.UniqueTopic("timing");
        using var stop = new CancellationTokenSource();
        var a = await RawMember.StartAsync(_silo, group, stop.Token);
        var b = await RawMember.StartAsync(_silo, group, stop.Token);
        var samples = new List<double>();
        for (int run = 0; run < 7; run++)
        {
            var c = await RawMember.StartAsync(_silo, group, stop.Token);
            await WaitAsync(() => a.Generation == c.Generation && b.Generation == c.Generation && c.Generation > 0, "three members in one generation");
            int generation = c.Generation;
            var clock = Stopwatch.StartNew();
            await c.LeaveAsync();
            await WaitAsync(() => a.Generation > generation && b.Generation > generation, "the survivors' next generation");
            samples.Add(clock.Elapsed.TotalMilliseconds);
        }

        await stop.CancelAsync();
        samples.Sort();
        double median = samples[samples.Count / 2];
        output.WriteLine($"rebalance after a clean leave, 3 -> 2 members, heartbeat {HeartbeatMs} ms: median {median:F0} ms, samples [{string.Join(", ", samples.Select(s => s.ToString("F0", CultureInfo.InvariantCulture)))}] ms");
        Assert.True(median < 1000, $"median rebalance time {median:F0} ms");
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(5);
        }
    }

    /// <summary>A member on its own connection: heartbeats, and on REBALANCE_IN_PROGRESS rejoins and syncs (the leader assigns).</summary>
    private sealed class RawMember
    {
        private readonly RawKafkaConnection _connection;
        private readonly string _group;
        private string _memberId = string.Empty;
        private volatile int _generation;
        private bool _leaving;

        private RawMember(RawKafkaConnection connection, string group)
        {
            _connection = connection;
            _group = group;
        }

        public int Generation => _generation;

        public static async Task<RawMember> StartAsync(SiloProcess silo, string group, CancellationToken stop)
        {
            var member = new RawMember(await RawKafkaConnection.ConnectAsync(silo.KafkaPort), group);
            _ = Task.Run(() => member.RunAsync(stop), CancellationToken.None);
            return member;
        }

        public async Task LeaveAsync()
        {
            _leaving = true;
            await _lock.WaitAsync();
            try
            {
                await GroupWire.LeaveAsync(_connection, _group, (_memberId, null));
            }
            finally
            {
                _lock.Release();
                _connection.Dispose();
            }
        }

        private readonly SemaphoreSlim _lock = new(1, 1);

        private async Task RunAsync(CancellationToken stop)
        {
            bool mustJoin = true;
            while (!stop.IsCancellationRequested && !_leaving)
            {
                await _lock.WaitAsync(CancellationToken.None);
                try
                {
                    if (_leaving)
                    {
                        return;
                    }

                    if (mustJoin)
                    {
                        var join = await GroupWire.JoinAsync(_connection, 3, _group, _memberId, sessionTimeoutMs: 6000, rebalanceTimeoutMs: 10000);
                        if (join.ErrorCode != 0)
                        {
                            continue;
                        }

                        _memberId = join.MemberId!;
                        var assignments = join.Members.Select((m, i) => (m, i)).ToDictionary(x => x.m, x => GroupWire.Assignment("t", x.i));
                        var sync = await GroupWire.SyncAsync(_connection, _group, join.GenerationId, _memberId, assignments: join.Leader == _memberId ? assignments : null);
                        if (sync.ErrorCode == 0)
                        {
                            _generation = join.GenerationId;
                            mustJoin = false;
                        }

                        continue;
                    }

                    short error = await GroupWire.HeartbeatAsync(_connection, _group, _generation, _memberId);
                    mustJoin = error != 0;
                    if (error is GroupWire.UnknownMemberId)
                    {
                        _memberId = string.Empty;
                    }
                }
                catch (Exception) when (_leaving || stop.IsCancellationRequested)
                {
                    return;
                }
                finally
                {
                    _lock.Release();
                }

                if (!mustJoin)
                {
                    await Task.Delay(HeartbeatMs, CancellationToken.None);
                }
            }
        }
    }
}
