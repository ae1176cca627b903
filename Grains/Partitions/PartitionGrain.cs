using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;
using Runnel.Grains.Cluster;
using Runnel.Grains.Producers;
using Runnel.Grains.Storage;
using Runnel.Grains.Metadata;
using Runnel.Grains.Tiering;
using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Records;

namespace Runnel.Grains.Partitions;

/// <summary>
/// A partition's leader: owns its <see cref="PartitionLog"/>. Appends run as turns, so idempotence checks and
/// offset assignment see one writer; reads go through the <see cref="PartitionReader"/> it registers.
/// A housekeeping timer, running only while the partition has work, flushes, rolls an idle tail, applies retention
/// and local retention and starts the background tiering pass (<see cref="PartitionTiering"/>), which uploads
/// outside the grain's turns. Kept alive: readers use the log outside turns, and idle collection would close it.
/// </summary>
[GrainType(GrainTypes.Partition)]
[LeaderPlacement]
[KeepAlive]
public sealed partial class PartitionGrain : Grain, IPartitionGrain
{
    private readonly BrokerOptions _settings;
    private readonly TopicService _topics;
    private readonly PartitionDirectory _directory;
    private readonly ILogger<PartitionGrain> _logger;
    private readonly TieredStorage _storage;
    private readonly ClusterView _cluster;
    private readonly StrandedLogs _stranded;
    private readonly FileSystemSync _sync;
    private readonly AppendSignal _signal = new();
    private PartitionTiering? _tiering;
    private PartitionLog? _log;
    private PartitionReader? _reader;
    private string _topic = string.Empty;
    private Guid _topicId;
    private int _partition;

    public PartitionGrain(IOptions<BrokerOptions> settings, TopicService topics, PartitionDirectory directory, TieredStorage storage, ClusterView cluster, StrandedLogs stranded, FileSystemSync sync, ILogger<PartitionGrain> logger)
    {
        _sync = sync;
        _storage = storage;
        _cluster = cluster;
        _stranded = stranded;
        _settings = settings.Value;
        _topics = topics;
        _directory = directory;
        _logger = logger;
    }

    private PartitionLog Log => _log ?? throw new InvalidOperationException("The partition log is not open.");

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_topic, _partition) = PartitionKey.Parse(this.GetPrimaryKeyString());
        if (!_topics.TryGetTopic(_topic, out TopicMetadata? topic) || _partition >= topic.PartitionCount)
        {
            throw new InvalidOperationException($"Partition {_partition} of topic '{_topic}' does not exist.");
        }

        _topicId = topic.TopicId;
        long offsetFloor = await ClaimLeadershipAsync(topic, cancellationToken);

        // The manifest is read even when the topic no longer uploads: it still says where older data lives.
        _tiering = _storage.CreatePartition(topic, _partition);
        LogTierContext tier = await _tiering.LoadAsync(cancellationToken);
        _log = PartitionLog.Open(_topics.PartitionPath(topic, _partition), LogOptionsFor(topic), tier with { MinimumNextOffset = offsetFloor });
        _tiering.Attach(_log);
        _storage.Track(_log);
        _reader = new PartitionReader(_topic, _partition, _log, _signal, _sync);
        _directory.Register(_reader);

        StartHousekeeping(_log);
        LogOpened(_logger, _topic, _partition, _log.LogStartOffset, _log.HighWatermark);
        ExtendLeaseIfDue();
    }

    public Task<AppendOutcome> AppendAsync(ReadOnlyMemory<byte> batches, short acks)
    {
        PartitionLog log = Log;
        ReadOnlySpan<byte> span = batches.Span;
        long firstOffset = -1;
        long lastOffset = -1;
        long appendTime = -1;
        int position = 0;

        if (RefuseIfNotLeading() is { } refused)
        {
            return Task.FromResult(refused);
        }

        // Batch by batch, so each idempotent batch is checked against the state its predecessor left.
        while (position < span.Length)
        {
            if (span.Length - position < RecordBatchHeader.Size)
            {
                return Task.FromResult(AppendOutcome.Failed(ErrorCode.CorruptMessage, "Truncated record batch."));
            }

            RecordBatchHeader header = RecordBatchHeader.Read(span[position..]);
            int size = header.TotalSize;
            if (header.BatchLength < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead || size > span.Length - position)
            {
                return Task.FromResult(AppendOutcome.Failed(ErrorCode.CorruptMessage, "Truncated record batch."));
            }

            if ((header.Attributes & TransactionalOrControl) != 0 && CheckTransactional(header) is { } refusedBatch)
            {
                return Task.FromResult(refusedBatch);
            }

            ProducerCheckResult check = log.Producers.Check(header);
            if (check.Outcome == ProducerCheckOutcome.Duplicate)
            {
                // A retry of a batch already in the log: answer with its original offset, append nothing.
                firstOffset = firstOffset < 0 ? check.DuplicateBaseOffset : firstOffset;
                lastOffset = Math.Max(lastOffset, check.DuplicateLastOffset);
                position += size;
                continue;
            }

            if (check.Outcome == ProducerCheckOutcome.OutOfOrderSequence)
            {
                return Task.FromResult(AppendOutcome.Failed(ErrorCode.OutOfOrderSequenceNumber, $"Producer {header.ProducerId} sent sequence {header.BaseSequence}, which does not follow its last one."));
            }

            if (check.Outcome == ProducerCheckOutcome.InvalidProducerEpoch)
            {
                return Task.FromResult(AppendOutcome.Failed(ErrorCode.InvalidProducerEpoch, $"Producer {header.ProducerId} epoch {header.ProducerEpoch} is older than the current one."));
            }

            LogAppendResult appended = log.Append(span.Slice(position, size), _leaderEpoch);
            if (!appended.IsSuccess)
            {
                return Task.FromResult(AppendOutcome.Failed(appended.Error, appended.Message));
            }

            firstOffset = firstOffset < 0 ? appended.BaseOffset : firstOffset;
            lastOffset = Math.Max(lastOffset, appended.LastOffset);
            appendTime = appended.LogAppendTimeMs;
            position += size;
        }

        _signal.Notify();
        ExtendLeaseIfDue();
        WakeHousekeeping();

        // Records keep their producer's timestamps (CreateTime), so Kafka answers -1 for the append time.
        _ = appendTime;
        return Task.FromResult(new AppendOutcome(ErrorCode.None, firstOffset, -1, log.LogStartOffset, null) { LastOffset = lastOffset });
    }

    public Task<PartitionOffsets> GetOffsetsAsync() => Task.FromResult(new PartitionOffsets(Log.LogStartOffset, Log.HighWatermark));

    public Task<DeleteRecordsOutcome> DeleteRecordsAsync(long offset)
    {
        // Only -1 means "up to the high watermark"; the log refuses every other offset outside [0, high watermark]
        // with OFFSET_OUT_OF_RANGE, so bad input never deletes anything.
        DeleteRecordsResult result = Log.DeleteRecordsBefore(offset);
        WakeHousekeeping(); // the manifest and the blob tier follow the new log start in a tiering pass
        return Task.FromResult(new DeleteRecordsOutcome(result.Error, result.LowWatermark));
    }

    public Task ReloadConfigAsync()
    {
        if (_topics.TryGetTopic(_topic, out TopicMetadata? topic))
        {
            Log.UpdateOptions(LogOptionsFor(topic));
            WakeHousekeeping(); // new limits (retention, segment.ms, local retention) apply from the next tick
        }

        return Task.CompletedTask;
    }

    public async Task DeleteAsync()
    {
        await CloseAsync();
        if (!_topics.TryGetTopic(_topicId, out _))
        {
            // The topic is gone from metadata (DeleteTopics): its blobs go too.
            _storage.DeletePartitionInBackground(_topicId, _partition);
        }

        DeactivateOnIdle();
    }

    public async Task ResignAsync()
    {
        // Another node leads the partition now: stop serving it here and keep the files (they are reported if they
        // hold records the new leader never got, when this node claims the partition again).
        await CloseAsync();
        DeactivateOnIdle();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => CloseAsync();

    private async Task CloseAsync()
    {
        _housekeeping?.Dispose();
        _housekeeping = null;
        if (_reader is not null)
        {
            _directory.Unregister(_reader);
            _reader = null;
        }

        if (_tiering is not null)
        {
            // Cleared first: a deleted topic's partition closes here and then again when it deactivates.
            PartitionTiering tiering = _tiering;
            _tiering = null;
            await tiering.DisposeAsync();
        }

        if (_log is not null)
        {
            _storage.Untrack(_log);
            _log.Dispose();
            _log = null;
        }
    }

    // The silo's flush interval is the default; a topic's own flush.ms override wins.
    private LogOptions LogOptionsFor(TopicMetadata topic)
        => topic.Config.Overrides.ContainsKey(TopicConfigCatalog.FlushMs)
            ? LogOptions.FromTopicConfig(topic.Config)
            : LogOptions.FromTopicConfig(topic.Config) with { FlushIntervalMs = _settings.FlushIntervalMs };

    [LoggerMessage(Level = LogLevel.Information, Message = "Opened partition {Topic}/{Partition}: offsets {LogStart}..{HighWatermark}")]
    private static partial void LogOpened(ILogger logger, string topic, int partition, long logStart, long highWatermark);
}
