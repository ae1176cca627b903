using Microsoft.Extensions.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Runnel.Grains.Groups;

/// <summary>
/// Kafka's offsets.retention.minutes: every check interval, each group with a commit older than the
/// retention is asked (as a turn of its grain, which knows whether it has members) to delete expired offsets.
/// </summary>
public sealed partial class OffsetRetention : BackgroundService
{
    private readonly OffsetStore _store;
    private readonly GroupCoordinatorOptions _settings;
    private readonly IGrainFactory _grains;
    private readonly ILogger<OffsetRetention> _logger;

    public OffsetRetention(OffsetStore store, IOptions<GroupCoordinatorOptions> settings, IGrainFactory grains, ILogger<OffsetRetention> logger)
    {
        _store = store;
        _settings = settings.Value;
        _grains = grains;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_settings.OffsetsRetentionCheckInterval);
        try
        {
            await _store.WhenLoaded.WaitAsync(stoppingToken).ConfigureAwait(false);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await SweepAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        long cutoff = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (long)_settings.OffsetsRetention.TotalMilliseconds;
        foreach (string group in _store.Groups.ToList())
        {
            long oldest = _store.GetAll(group).Select(e => e.Value.CommitTimestampMs).DefaultIfEmpty(long.MaxValue).Min();
            if (oldest > cutoff)
            {
                continue;
            }

            int expired = await _grains.GetGrain<IGroupGrain>(group).ExpireOffsetsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            if (expired > 0)
            {
                LogExpired(_logger, expired, group);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} expired offsets of group {Group}")]
    private static partial void LogExpired(ILogger logger, int count, string group);
}
