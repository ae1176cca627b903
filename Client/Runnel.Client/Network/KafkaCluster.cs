using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Runnel.Client.Diagnostics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Client.Network;

/// <summary>
/// A client's view of the cluster: one connection per broker (plus one per group coordinator, kept apart so that
/// long-polling fetches never delay heartbeats), the latest metadata snapshot and its refresh. Metadata is
/// refreshed on demand (<see cref="RequestRefresh"/> after errors), before it is older than
/// <see cref="KafkaClientOptions.MetadataMaxAge"/>, and at most one refresh runs at a time.
/// </summary>
internal sealed partial class KafkaCluster : IAsyncDisposable
{
    private readonly List<BrokerEndpoint> _bootstrap;
    private readonly Dictionary<int, Task<BrokerConnection>> _connections = [];
    private readonly Dictionary<string, int> _interest = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _refreshLoop;
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private volatile ClusterMetadata _metadata = ClusterMetadata.Empty;
    private volatile bool _refreshRequested;
    private int _nextBootstrap;

    public KafkaCluster(KafkaClientOptions options, string role)
    {
        options.Validate();
        Options = options;
        Logger = options.LoggerFactory.CreateLogger("Runnel.Client." + role);
        _bootstrap = BrokerEndpoint.ParseBootstrap(options.BootstrapServers);
        _refreshLoop = RefreshLoopAsync();
    }

    public KafkaClientOptions Options { get; }

    public ILogger Logger { get; }

    public ClusterMetadata Metadata => _metadata;

    /// <summary>Cancelled when the owning client is disposed.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Connection key for a group coordinator: a separate connection from the data one (as the Java client does).</summary>
    public static int CoordinatorKey(int nodeId) => int.MaxValue - nodeId;

    /// <summary>Adds topics to those kept fresh by periodic refreshes.</summary>
    public void Track(string topic)
    {
        lock (_gate)
        {
            _interest.TryAdd(topic, 0);
        }
    }

    /// <summary>Asks for a refresh soon (after a leader error, a new topic, a lost connection).</summary>
    public void RequestRefresh() => _refreshRequested = true;

    /// <summary>The connection to <paramref name="nodeId"/> (or a coordinator key), opened on first use and replaced when it failed.</summary>
    public Task<BrokerConnection> GetConnectionAsync(int nodeId, CancellationToken cancellationToken) =>
        GetConnectionAsync(nodeId, null, cancellationToken);

    public Task<BrokerConnection> GetConnectionAsync(int key, BrokerEndpoint? endpoint, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        lock (_gate)
        {
            if (_connections.TryGetValue(key, out Task<BrokerConnection>? existing) &&
                (!existing.IsCompleted || (existing.IsCompletedSuccessfully && existing.Result.IsAlive)))
            {
                return existing;
            }

            endpoint ??= ResolveEndpoint(key);
            Task<BrokerConnection> connecting = BrokerConnection.ConnectAsync(endpoint, Options, Logger, _stopping.Token);
            _connections[key] = connecting;
            if (existing is { IsCompletedSuccessfully: true })
            {
                _ = existing.Result.DisposeAsync().AsTask();
            }

            return connecting.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Any live connection, or a new one to a known broker or a bootstrap server (tried in turn).</summary>
    public async Task<BrokerConnection> GetAnyConnectionAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var (key, task) in _connections)
            {
                if (key < int.MaxValue / 2 && task.IsCompletedSuccessfully && task.Result.IsAlive)
                {
                    return task.Result;
                }
            }
        }

        var candidates = new List<int>();
        foreach (int nodeId in _metadata.Brokers.Keys)
        {
            candidates.Add(nodeId);
        }

        int start = Interlocked.Increment(ref _nextBootstrap);
        for (int i = 0; i < _bootstrap.Count; i++)
        {
            candidates.Add(_bootstrap[(start + i) % _bootstrap.Count].NodeId);
        }

        KafkaException? last = null;
        foreach (int key in candidates)
        {
            try
            {
                return await GetConnectionAsync(key, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException e) when (e.IsRetriable)
            {
                last = e;
            }
        }

        throw last ?? new KafkaException(ErrorCode.NetworkException, "No broker is reachable.");
    }

    /// <summary>Refreshes metadata for <paramref name="topics"/> (null: all topics); merges the answer into the snapshot.</summary>
    public async Task<ClusterMetadata> RefreshAsync(IReadOnlyCollection<string>? topics, bool allowAutoCreate, CancellationToken cancellationToken)
    {
        await _refreshLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            BrokerConnection connection = await GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false);
            var request = new MetadataRequest { AllowAutoTopicCreation = allowAutoCreate };
            if (topics is not null)
            {
                request.Topics = [];
                foreach (string topic in topics)
                {
                    request.Topics.Add(new MetadataRequest.MetadataRequestTopic { Name = topic });
                }
            }
            else
            {
                request.Topics = null;
            }

            MetadataResponse response = await connection.SendAsync<MetadataResponse>(ApiKey.Metadata, request, cancellationToken).ConfigureAwait(false);
            ClientMetrics.MetadataRefreshes.Add(1);
            ClusterMetadata updated = _metadata.Merge(response, Stopwatch.GetTimestamp(), replaceAllTopics: topics is null);
            _metadata = updated;
            _refreshRequested = false;
            return updated;
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    /// <summary>
    /// Metadata of <paramref name="topic"/> with a leader for every partition, refreshing (and waiting out topic
    /// creation or leader election) with back-off until <see cref="KafkaClientOptions.RetryTimeout"/>.
    /// </summary>
    public async Task<TopicInfo> GetTopicAsync(string topic, bool allowAutoCreate, CancellationToken cancellationToken)
    {
        TopicInfo? info = _metadata.Topic(topic);
        if (info is { IsUsable: true })
        {
            return info;
        }

        Track(topic);
        return await RetryAsync($"Metadata for topic '{topic}'", async ct =>
        {
            ClusterMetadata metadata = await RefreshAsync(TrackedTopics(), allowAutoCreate, ct).ConfigureAwait(false);
            TopicInfo? found = metadata.Topic(topic);
            if (found is { IsUsable: true })
            {
                return found;
            }

            ErrorCode error = found is null ? ErrorCode.UnknownTopicOrPartition : found.Error != ErrorCode.None ? found.Error : ErrorCode.LeaderNotAvailable;
            if (error == ErrorCode.UnknownTopicOrPartition && !allowAutoCreate)
            {
                throw new KafkaException(error, $"Topic '{topic}' does not exist.");
            }

            throw new KafkaException(error, $"Topic '{topic}' is not available yet ({error}).");
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="operation"/>, retrying retriable <see cref="KafkaException"/>s with exponential back-off
    /// (refreshing metadata when the error calls for it) until <see cref="KafkaClientOptions.RetryTimeout"/>.
    /// </summary>
    public async Task<T> RetryAsync<T>(string what, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await operation(cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException e) when (e.IsRetriable && Stopwatch.GetElapsedTime(started) < Options.RetryTimeout)
            {
                LogRetrying(Logger, what, e.ErrorCode, attempt + 1);
                if (KafkaErrors.NeedsMetadataRefresh(e.ErrorCode))
                {
                    RequestRefresh();
                }

                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Exponential back-off with ±20 % jitter, from RetryBackoff up to RetryBackoffMax.</summary>
    public TimeSpan Backoff(int attempt)
    {
        double ms = Options.RetryBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 16));
        ms = Math.Min(ms, Options.RetryBackoffMax.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms * (0.8 + (Random.Shared.NextDouble() * 0.4)));
    }

    public List<string> TrackedTopics()
    {
        lock (_gate)
        {
            return [.. _interest.Keys];
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        try
        {
            await _refreshLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        List<Task<BrokerConnection>> connections;
        lock (_gate)
        {
            connections = [.. _connections.Values];
            _connections.Clear();
        }

        foreach (Task<BrokerConnection> task in connections)
        {
            if (task.IsCompletedSuccessfully)
            {
                await task.Result.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private BrokerEndpoint ResolveEndpoint(int key)
    {
        if (_metadata.Brokers.TryGetValue(key, out BrokerEndpoint? broker))
        {
            return broker;
        }

        foreach (BrokerEndpoint bootstrap in _bootstrap)
        {
            if (bootstrap.NodeId == key)
            {
                return bootstrap;
            }
        }

        throw new KafkaException(ErrorCode.BrokerNotAvailable, $"Broker {key} is not in the cluster metadata.");
    }

    private async Task RefreshLoopAsync()
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
        {
            bool stale = Stopwatch.GetElapsedTime(_metadata.Timestamp) > Options.MetadataMaxAge;
            if (!_refreshRequested && !stale)
            {
                continue;
            }

            List<string> topics = TrackedTopics();
            if (topics.Count == 0)
            {
                _refreshRequested = false;
                continue;
            }

            try
            {
                await RefreshAsync(topics, allowAutoCreate: false, _stopping.Token).ConfigureAwait(false);
            }
            catch (KafkaException e)
            {
                LogRefreshFailed(Logger, e.Message);
            }
        }
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Debug, Message = "{What} failed with {Error}; retry {Attempt}")]
    private static partial void LogRetrying(ILogger logger, string what, ErrorCode error, int attempt);

    [LoggerMessage(EventId = 111, Level = LogLevel.Debug, Message = "Background metadata refresh failed: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string reason);
}
