using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Runnel.Client.Diagnostics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Client.Producer;

/// <summary>
/// Produce responses: success completes a batch; a retriable error puts it back (in sequence order, after the
/// partition's in-flight batches have drained); anything else fails it. A failed idempotent batch leaves a hole in
/// its partition's sequence, so the producer then takes a new producer id and renumbers what is still queued.
/// </summary>
internal sealed partial class Sender
{
    private Exception? _unobservedError;

    private async Task HandleResponseAsync(Task<ProduceResponse> responseTask, List<ProducerBatch> batches)
    {
        try
        {
            ProduceResponse response;
            try
            {
                response = await responseTask.ConfigureAwait(false);
            }
            catch (KafkaException e)
            {
                foreach (ProducerBatch batch in batches)
                {
                    OnError(batch, e.ErrorCode, e.Message);
                }

                return;
            }

            foreach (ProducerBatch batch in batches)
            {
                ProduceResponse.TopicProduceResponse.PartitionProduceResponse? answer = Find(response, batch.Queue.Topic, batch.Queue.Partition);
                if (answer is null)
                {
                    OnError(batch, ErrorCode.NetworkException, "The produce response did not mention the partition.");
                    continue;
                }

                var error = (ErrorCode)answer.ErrorCode;
                if (error is ErrorCode.None or ErrorCode.DuplicateSequenceNumber)
                {
                    OnSuccess(batch, answer.BaseOffset);
                }
                else
                {
                    OnError(batch, error, answer.ErrorMessage);
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _requestsInFlight);
            Wake();
        }
    }

    private void OnSuccess(ProducerBatch batch, long baseOffset)
    {
        PartitionQueue queue = batch.Queue;
        lock (queue.Gate)
        {
            queue.Sending.Remove(batch);
            if (batch.BaseSequence >= 0)
            {
                queue.LastAckedSequence = batch.BaseSequence + batch.RecordCount - 1;
            }
        }

        int reserved = batch.ReservedBytes;
        int records = batch.RecordCount;
        int bytes = batch.Bytes.Length;
        if (batch.TryComplete(baseOffset))
        {
            _memory.Release(reserved);
            _accumulator.BatchCompleted();
            ClientMetrics.RecordsProduced.Add(records);
            ClientMetrics.BytesProduced.Add(bytes);
        }
    }

    private void OnError(ProducerBatch batch, ErrorCode error, string? message)
    {
        PartitionQueue queue = batch.Queue;
        bool retry = false;
        bool expired = Stopwatch.GetElapsedTime(batch.CreatedTimestamp) > _options.DeliveryTimeout;
        lock (queue.Gate)
        {
            queue.Sending.Remove(batch);
            bool retriable = KafkaErrors.IsRetriable(error);
            if (error == ErrorCode.OutOfOrderSequenceNumber && Idempotent)
            {
                // Out of order because an earlier batch of this partition failed: resend after it. Out of order
                // for the very next expected sequence means the broker lost our state: not retriable.
                retriable = batch.BaseSequence != queue.LastAckedSequence + 1 || queue.Retry.Count > 0;
            }

            if (retriable && !expired && !_cluster.Stopping.IsCancellationRequested)
            {
                retry = true;
                batch.Attempts++;
                batch.NotBefore = Stopwatch.GetTimestamp() + (long)(_cluster.Backoff(batch.Attempts - 1).TotalSeconds * Stopwatch.Frequency);
                if (Idempotent)
                {
                    queue.Recovering = true;
                    queue.Retry.Add(batch);
                }
                else
                {
                    queue.Ready.AddFirst(batch);
                }
            }
        }

        if (KafkaErrors.NeedsMetadataRefresh(error))
        {
            _cluster.RequestRefresh();
        }

        if (retry)
        {
            ClientMetrics.ProduceRetries.Add(1);
            LogRetry(_logger, queue.TopicPartition.ToString(), error, batch.Attempts);
            return;
        }

        string reason = expired ? $"delivery timeout of {_options.DeliveryTimeout.TotalSeconds} s passed; last error" : "the broker answered";
        Fail(batch, new KafkaException(error, ClientThrowHelper.Describe(error, $"Producing {batch.RecordCount} record(s) to {queue.TopicPartition} failed ({reason})", message)));
    }

    private void Fail(ProducerBatch batch, KafkaException error)
    {
        bool hadSequence = Idempotent && batch.IsSealed && batch.BaseSequence >= 0;
        int reserved = batch.ReservedBytes;
        int records = batch.RecordCount;
        if (batch.TryFail(error))
        {
            _memory.Release(reserved);
            _accumulator.BatchCompleted();
            ClientMetrics.ProduceFailures.Add(records);
            Interlocked.CompareExchange(ref _unobservedError, error, null);
            LogBatchFailed(_logger, error.Message);
            if (hadSequence)
            {
                _needsProducerIdReset = true;
            }
        }
    }

    private static ProduceResponse.TopicProduceResponse.PartitionProduceResponse? Find(ProduceResponse response, string topic, int partition)
    {
        foreach (ProduceResponse.TopicProduceResponse t in response.Responses)
        {
            if (t.Name != topic)
            {
                continue;
            }

            foreach (ProduceResponse.TopicProduceResponse.PartitionProduceResponse p in t.PartitionResponses)
            {
                if (p.Index == partition)
                {
                    return p;
                }
            }
        }

        return null;
    }

    [LoggerMessage(EventId = 202, Level = LogLevel.Debug, Message = "Retrying batch for {Partition} after {Error} (attempt {Attempt})")]
    private static partial void LogRetry(ILogger logger, string partition, ErrorCode error, int attempt);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "{Reason}")]
    private static partial void LogBatchFailed(ILogger logger, string reason);
}
