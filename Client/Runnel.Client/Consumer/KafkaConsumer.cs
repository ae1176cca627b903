using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Runnel.Client.Consumer.Groups;
using Runnel.Client.Diagnostics;
using Runnel.Client.Network;
using Runnel.Client.Serialization;

namespace Runnel.Client.Consumer;

/// <summary>
/// Consumes records as an <see cref="IAsyncEnumerable{T}"/>, from partitions assigned by hand
/// (<see cref="Assign(IEnumerable{TopicPartitionOffset})"/>, <see cref="Seek"/>, <see cref="Pause"/>) or by a
/// consumer group (<see cref="Subscribe"/>). A background loop fetches ahead while the application works
/// (<see cref="ConsumerOptions.PrefetchChunks"/>). Assignment, seek, pause and commit may be called from any
/// thread; enumerate <see cref="ConsumeAsync"/> from one consumer at a time.
/// </summary>
public sealed partial class KafkaConsumer<TKey, TValue> : IAsyncDisposable
{
    private readonly ConsumerOptions _options;
    private readonly KafkaCluster _cluster;
    private readonly RecordDecoder<TKey, TValue> _decoder;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<TopicPartition, PartitionState> _assignment = [];
    private readonly Channel<FetchedChunk> _fetched;
    private readonly SemaphoreSlim _wakeFetcher = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _fetchLoop;
    private GroupMembership? _group;
    private GroupCoordinator? _coordinator;
    private int _disposed;

    public KafkaConsumer(ConsumerOptions options, IDeserializer<TKey>? keyDeserializer = null, IDeserializer<TValue>? valueDeserializer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _cluster = new KafkaCluster(options, "Consumer");
        _logger = _cluster.Logger;
        _decoder = new RecordDecoder<TKey, TValue>(keyDeserializer ?? Deserializers.Default<TKey>(), valueDeserializer ?? Deserializers.Default<TValue>(), options);
        _fetched = Channel.CreateBounded<FetchedChunk>(new BoundedChannelOptions(Math.Max(1, options.PrefetchChunks)) { SingleReader = true, SingleWriter = true });
        _fetchLoop = Task.Run(FetchLoopAsync);
    }

    /// <summary>Raised (on a background thread) after the group assigned partitions to this consumer.</summary>
    public event Action<IReadOnlyList<TopicPartition>>? PartitionsAssigned;

    /// <summary>Raised (on a background thread) before partitions are taken away (positions are committed first with auto-commit).</summary>
    public event Action<IReadOnlyList<TopicPartition>>? PartitionsRevoked;

    /// <summary>The partitions currently assigned.</summary>
    public IReadOnlyList<TopicPartition> Assignment
    {
        get
        {
            lock (_gate)
            {
                return [.. _assignment.Keys];
            }
        }
    }

    /// <summary>Assigns partitions by hand, each from its offset (absolute, or <see cref="Offsets.Beginning"/>, <see cref="Offsets.End"/>, <see cref="Offsets.Stored"/>).</summary>
    public void Assign(IEnumerable<TopicPartitionOffset> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        if (_group is not null)
        {
            ClientThrowHelper.ThrowInvalidOperation("This consumer subscribed to a group; manual assignment is not allowed.");
        }

        lock (_gate)
        {
            _assignment.Clear();
            foreach (TopicPartitionOffset p in partitions)
            {
                _assignment[p.TopicPartition] = new PartitionState(p.TopicPartition, p.Offset);
                _cluster.Track(p.Topic);
            }
        }

        WakeFetcher();
    }

    /// <summary>Assigns partitions by hand, starting from the group's committed offsets (or the reset policy).</summary>
    public void Assign(IEnumerable<TopicPartition> partitions) =>
        Assign(partitions.Select(p => new TopicPartitionOffset(p, Offsets.Stored)));

    /// <summary>Removes every assigned partition.</summary>
    public void Unassign() => Assign(Array.Empty<TopicPartitionOffset>());

    /// <summary>Joins the consumer group <see cref="ConsumerOptions.GroupId"/> and consumes the partitions it assigns.</summary>
    public void Subscribe(IEnumerable<string> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        string groupId = _options.GroupId ?? throw new InvalidOperationException("Subscribe needs ConsumerOptions.GroupId.");
        List<string> list = [.. topics];
        if (list.Count == 0)
        {
            ClientThrowHelper.ThrowArgument("Subscribe to at least one topic.", nameof(topics));
        }

        lock (_gate)
        {
            if (_group is not null || _assignment.Count > 0)
            {
                ClientThrowHelper.ThrowInvalidOperation("The consumer already has an assignment or a subscription.");
            }

            foreach (string topic in list)
            {
                _cluster.Track(topic);
            }

            _group = new GroupMembership(_cluster, Coordinator(), _options, list, new GroupCallbacks(this));
        }
    }

    /// <summary>Moves the position of an assigned partition; prefetched records from the old position are dropped.</summary>
    public void Seek(TopicPartitionOffset position)
    {
        lock (_gate)
        {
            PartitionState state = StateOf(position.TopicPartition);
            state.NewEpoch();
            state.SeekTimestamp = null;
            state.FetchPosition = position.Offset;
            state.ConsumedPosition = position.Offset >= 0 ? position.Offset : state.ConsumedPosition;
        }

        WakeFetcher();
    }

    /// <summary>Moves assigned partitions to the first record with a timestamp at or after <paramref name="timestamp"/> (the end when none).</summary>
    public void SeekToTimestamp(IEnumerable<TopicPartition> partitions, DateTimeOffset timestamp)
    {
        lock (_gate)
        {
            foreach (TopicPartition partition in partitions)
            {
                PartitionState state = StateOf(partition);
                state.NewEpoch();
                state.FetchPosition = Offsets.End;
                state.SeekTimestamp = timestamp.ToUnixTimeMilliseconds();
            }
        }

        WakeFetcher();
    }

    /// <summary>Stops fetching the partitions (they stay assigned); prefetched records of them are dropped and fetched again on resume.</summary>
    public void Pause(IEnumerable<TopicPartition> partitions)
    {
        lock (_gate)
        {
            foreach (TopicPartition partition in partitions)
            {
                PartitionState state = StateOf(partition);
                state.Paused = true;
                state.NewEpoch();
                if (state.ConsumedPosition >= 0)
                {
                    state.FetchPosition = state.ConsumedPosition;
                }
            }
        }
    }

    public void Resume(IEnumerable<TopicPartition> partitions)
    {
        lock (_gate)
        {
            foreach (TopicPartition partition in partitions)
            {
                StateOf(partition).Paused = false;
            }
        }

        WakeFetcher();
    }

    /// <summary>The offset of the next record the application will get from the partition, or null when not known yet.</summary>
    public long? Position(TopicPartition partition)
    {
        lock (_gate)
        {
            long position = StateOf(partition).ConsumedPosition;
            return position >= 0 ? position : null;
        }
    }

    /// <summary>
    /// The records of the assigned partitions, in offset order per partition, until <paramref name="cancellationToken"/>
    /// is cancelled. Errors that retrying cannot fix (e.g. an out-of-range offset with <see cref="AutoOffsetReset.Error"/>) are thrown.
    /// </summary>
    public async IAsyncEnumerable<ConsumeResult<TKey, TValue>> ConsumeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _group?.Start();
        while (true)
        {
            FetchedChunk chunk = await _fetched.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (chunk.Error is not null)
            {
                throw chunk.Error;
            }

            for (int i = 0; i < chunk.Records.Count; i++)
            {
                ConsumeResult<TKey, TValue> record = chunk.Records[i];
                lock (_gate)
                {
                    if (!_assignment.TryGetValue(chunk.Partition, out PartitionState? state) || state.Epoch != chunk.Epoch || state.Paused || state.Revoking)
                    {
                        break;
                    }

                    state.ConsumedPosition = record.Offset + 1;
                }

                ClientMetrics.RecordsConsumed.Add(1);
                yield return record;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_group is not null)
        {
            await _group.StopAsync().ConfigureAwait(false);
        }

        _stopping.Cancel();
        WakeFetcher();
        try
        {
            await _fetchLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await _cluster.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private PartitionState StateOf(TopicPartition partition) =>
        _assignment.TryGetValue(partition, out PartitionState? state) ? state : throw new ArgumentException($"{partition} is not assigned to this consumer.", nameof(partition));

    private GroupCoordinator Coordinator() =>
        _coordinator ??= new GroupCoordinator(_cluster, _options.GroupId ?? throw new InvalidOperationException("Committing needs ConsumerOptions.GroupId."));

    private void WakeFetcher()
    {
        if (_wakeFetcher.CurrentCount == 0)
        {
            _wakeFetcher.Release();
        }
    }

    /// <summary>Records of one partition from one fetch, tagged with the partition's epoch at fetch time.</summary>
    private sealed record FetchedChunk(TopicPartition Partition, int Epoch, List<ConsumeResult<TKey, TValue>> Records, Exception? Error = null);
}
