using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Runnel.Client.Network;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Records;

namespace Runnel.Client.Producer;

/// <summary>
/// The producer's background loop: finds batches that are full, have lingered or are being flushed, seals them
/// (producer id, sequence, compression, CRC), groups them by leader into produce requests (one batch per partition
/// per request, at most <see cref="ProducerOptions.MaxInFlightPerPartition"/> per partition in flight) and writes
/// them in order on the leader's connection. Responses are handled in <see cref="Sender"/>'s other part.
/// </summary>
internal sealed partial class Sender
{
    private static readonly TimeSpan s_idleWake = TimeSpan.FromMilliseconds(100);

    private readonly KafkaCluster _cluster;
    private readonly ProducerOptions _options;
    private readonly RecordAccumulator _accumulator;
    private readonly MemoryBudget _memory;
    private readonly ILogger _logger;
    private readonly CompressionCodec _codec;
    private readonly int? _compressionLevel;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Task _loop;
    private int _flushing;
    private volatile bool _closing;
    private long _producerId = -1;
    private short _producerEpoch = -1;
    private volatile bool _needsProducerIdReset;
    private int _requestsInFlight;

    public Sender(KafkaCluster cluster, ProducerOptions options, RecordAccumulator accumulator, MemoryBudget memory)
    {
        _cluster = cluster;
        _options = options;
        _accumulator = accumulator;
        _memory = memory;
        _logger = cluster.Logger;
        _codec = (CompressionCodec)(int)options.Compression;
        _compressionLevel = options.CompressionLevel;
        _loop = Task.Run(RunAsync);
    }

    public bool Idempotent => _options.EnableIdempotence;

    /// <summary>The first delivery error since the last flush (for records enqueued without awaiting delivery).</summary>
    public Exception? TakeUnobservedError() => Interlocked.Exchange(ref _unobservedError, null);

    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>Sends every buffered batch at once and waits until all records buffered so far completed.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var pending = new List<Task>();
        foreach (PartitionQueue queue in _accumulator.Queues)
        {
            lock (queue.Gate)
            {
                if (queue.Open is { } open)
                {
                    pending.Add(open.Completion);
                }

                foreach (ProducerBatch b in queue.Ready)
                {
                    pending.Add(b.Completion);
                }

                foreach (ProducerBatch b in queue.Retry)
                {
                    pending.Add(b.Completion);
                }

                foreach (ProducerBatch b in queue.Sending)
                {
                    pending.Add(b.Completion);
                }
            }
        }

        Interlocked.Increment(ref _flushing);
        try
        {
            Wake();
            try
            {
                await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException)
            {
                // Reported below (and to each ProduceAsync caller).
            }
        }
        finally
        {
            Interlocked.Decrement(ref _flushing);
        }
    }

    /// <summary>Stops after every buffered batch completed (or failed).</summary>
    public async Task CloseAsync()
    {
        _closing = true;
        Wake();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        while (true)
        {
            TimeSpan wait = s_idleWake;
            try
            {
                if (Idempotent && (_producerId < 0 || _needsProducerIdReset) && _accumulator.Outstanding > 0 && Volatile.Read(ref _requestsInFlight) == 0)
                {
                    await InitProducerIdAsync().ConfigureAwait(false);
                }

                Dictionary<int, List<ProducerBatch>>? byLeader = Drain(ref wait);
                if (byLeader is not null)
                {
                    foreach (var (leader, batches) in byLeader)
                    {
                        await SendAsync(leader, batches).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception e) when (e is KafkaException or OperationCanceledException)
            {
                LogSenderError(_logger, e.Message);
                wait = _cluster.Backoff(1);
            }

            if (_closing && _accumulator.Outstanding == 0)
            {
                return;
            }

            await _wake.WaitAsync(wait).ConfigureAwait(false);
        }
    }

    private Dictionary<int, List<ProducerBatch>>? Drain(ref TimeSpan wait)
    {
        Dictionary<int, List<ProducerBatch>>? byLeader = null;
        long now = Stopwatch.GetTimestamp();
        bool flushAll = Volatile.Read(ref _flushing) > 0 || _closing;
        bool canSend = !Idempotent || (_producerId >= 0 && !_needsProducerIdReset);
        ClusterMetadata metadata = _cluster.Metadata;
        foreach (PartitionQueue queue in _accumulator.Queues)
        {
            TopicInfo? topic = metadata.Topic(queue.Topic);
            int leader = topic is not null && queue.Partition < topic.Partitions.Length ? topic.Partitions[queue.Partition].Leader : -1;
            List<ProducerBatch>? expired = null;
            lock (queue.Gate)
            {
                if (!queue.HasWork)
                {
                    continue;
                }

                if (queue.Open is { } open)
                {
                    TimeSpan age = Stopwatch.GetElapsedTime(open.CreatedTimestamp, now);
                    if (flushAll || age >= _options.Linger)
                    {
                        RecordAccumulator.Close(queue, open);
                    }
                    else
                    {
                        wait = Min(wait, _options.Linger - age);
                    }
                }

                if (queue.Recovering)
                {
                    if (queue.InFlight > 0)
                    {
                        continue;
                    }

                    queue.RequeueRetries();
                }

                while (queue.Ready.First?.Value is { } batch)
                {
                    if (!batch.IsSealed && Stopwatch.GetElapsedTime(batch.CreatedTimestamp, now) > _options.DeliveryTimeout)
                    {
                        queue.Ready.RemoveFirst();
                        (expired ??= []).Add(batch);
                        continue;
                    }

                    if (!canSend || queue.InFlight >= _options.MaxInFlightPerPartition)
                    {
                        break;
                    }

                    if (leader < 0)
                    {
                        _cluster.RequestRefresh();
                        wait = Min(wait, _options.RetryBackoff);
                        break;
                    }

                    if (batch.NotBefore > now)
                    {
                        wait = Min(wait, Stopwatch.GetElapsedTime(now, batch.NotBefore));
                        break;
                    }

                    queue.Ready.RemoveFirst();
                    if (!batch.IsSealed)
                    {
                        int sequence = -1;
                        if (Idempotent)
                        {
                            sequence = queue.NextSequence;
                            queue.NextSequence = (int)((sequence + (long)batch.RecordCount) % ((long)int.MaxValue + 1));
                        }

                        batch.Seal(_producerId, _producerEpoch, sequence, _codec, _compressionLevel);
                    }

                    queue.Sending.Add(batch);
                    byLeader ??= [];
                    if (!byLeader.TryGetValue(leader, out List<ProducerBatch>? list))
                    {
                        byLeader[leader] = list = [];
                    }

                    list.Add(batch);
                }
            }

            if (expired is not null)
            {
                foreach (ProducerBatch batch in expired)
                {
                    Fail(batch, new KafkaException(ErrorCode.RequestTimedOut,
                        $"Delivery to {queue.TopicPartition} timed out after {_options.DeliveryTimeout.TotalSeconds} s (no leader or no connection)."));
                }
            }
        }

        return byLeader;
    }

    /// <summary>Writes the batches for one leader as produce requests, in order; responses are handled as they come.</summary>
    private async Task SendAsync(int leader, List<ProducerBatch> batches)
    {
        BrokerConnection connection;
        try
        {
            using var timeout = new CancellationTokenSource(_options.ConnectTimeout);
            connection = await _cluster.GetConnectionAsync(leader, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException)
        {
            var error = e as KafkaException ?? new KafkaException(ErrorCode.NetworkException, $"Connecting to broker {leader} timed out.", e);
            foreach (ProducerBatch batch in batches)
            {
                OnError(batch, error.ErrorCode, error.Message);
            }

            return;
        }

        foreach (List<ProducerBatch> requestBatches in SplitIntoRequests(batches))
        {
            ProduceRequest request = BuildRequest(requestBatches);
            try
            {
                if (_options.Acks == Acks.None)
                {
                    await connection.SendWithoutResponseAsync(ApiKey.Produce, request, _cluster.Stopping).ConfigureAwait(false);
                    foreach (ProducerBatch batch in requestBatches)
                    {
                        OnSuccess(batch, -1);
                    }

                    continue;
                }

                Task<ProduceResponse> response = await connection.SendPipelinedAsync<ProduceResponse>(ApiKey.Produce, request, _cluster.Stopping).ConfigureAwait(false);
                Interlocked.Increment(ref _requestsInFlight);
                _ = HandleResponseAsync(response, requestBatches);
            }
            catch (KafkaException e)
            {
                foreach (ProducerBatch batch in requestBatches)
                {
                    OnError(batch, e.ErrorCode, e.Message);
                }
            }
        }
    }

    /// <summary>Requests with at most one batch per partition, keeping each partition's batches in order, under MaxRequestSize.</summary>
    private List<List<ProducerBatch>> SplitIntoRequests(List<ProducerBatch> batches)
    {
        var requests = new List<List<ProducerBatch>>();
        var sizes = new List<int>();
        var lastRequestOf = new Dictionary<PartitionQueue, int>();
        foreach (ProducerBatch batch in batches)
        {
            int start = lastRequestOf.TryGetValue(batch.Queue, out int last) ? last + 1 : 0;
            int index = start;
            while (index < requests.Count && requests[index].Count > 0 && sizes[index] + batch.Bytes.Length > _options.MaxRequestSize)
            {
                index++;
            }

            if (index == requests.Count)
            {
                requests.Add([]);
                sizes.Add(0);
            }

            requests[index].Add(batch);
            sizes[index] += batch.Bytes.Length;
            lastRequestOf[batch.Queue] = index;
        }

        return requests;
    }

    private ProduceRequest BuildRequest(List<ProducerBatch> batches)
    {
        var request = new ProduceRequest { Acks = (short)_options.Acks, TimeoutMs = (int)_options.RequestTimeout.TotalMilliseconds, TransactionalId = null };
        foreach (ProducerBatch batch in batches)
        {
            ProduceRequest.TopicProduceData? topic = null;
            foreach (ProduceRequest.TopicProduceData t in request.TopicData)
            {
                if (t.Name == batch.Queue.Topic)
                {
                    topic = t;
                    break;
                }
            }

            if (topic is null)
            {
                topic = new ProduceRequest.TopicProduceData { Name = batch.Queue.Topic };
                request.TopicData.Add(topic);
            }

            topic.PartitionData.Add(new ProduceRequest.TopicProduceData.PartitionProduceData { Index = batch.Queue.Partition, Records = batch.Bytes });
        }

        return request;
    }

    private async Task InitProducerIdAsync()
    {
        InitProducerIdResponse response = await _cluster.RetryAsync("InitProducerId", async ct =>
        {
            BrokerConnection connection = await _cluster.GetAnyConnectionAsync(ct).ConfigureAwait(false);
            var request = new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = 60_000, ProducerId = -1, ProducerEpoch = -1 };
            InitProducerIdResponse r = await connection.SendAsync<InitProducerIdResponse>(ApiKey.InitProducerId, request, ct).ConfigureAwait(false);
            KafkaErrors.ThrowIfError(r.ErrorCode, "InitProducerId");
            return r;
        }, _cluster.Stopping).ConfigureAwait(false);

        foreach (PartitionQueue queue in _accumulator.Queues)
        {
            lock (queue.Gate)
            {
                queue.NextSequence = 0;
                queue.LastAckedSequence = -1;
                foreach (ProducerBatch batch in queue.Ready)
                {
                    batch.Unseal();
                }

                foreach (ProducerBatch batch in queue.Retry)
                {
                    batch.Unseal();
                }
            }
        }

        _producerId = response.ProducerId;
        _producerEpoch = response.ProducerEpoch;
        _needsProducerIdReset = false;
        LogProducerId(_logger, _producerId, _producerEpoch);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Producer sender loop: {Reason}")]
    private static partial void LogSenderError(ILogger logger, string reason);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Producer id {ProducerId}, epoch {Epoch}")]
    private static partial void LogProducerId(ILogger logger, long producerId, short epoch);
}
