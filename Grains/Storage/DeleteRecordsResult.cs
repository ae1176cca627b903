using Runnel.Protocol;

namespace Runnel.Grains.Storage;

/// <summary>The outcome of <see cref="PartitionLog.DeleteRecordsBefore"/>: the log start offset afterwards (Kafka's low watermark).</summary>
public readonly record struct DeleteRecordsResult(ErrorCode Error, long LowWatermark);
