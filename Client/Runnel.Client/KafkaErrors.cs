using Runnel.Protocol;

namespace Runnel.Client;

/// <summary>Classification of Kafka error codes.</summary>
public static class KafkaErrors
{
    /// <summary>Errors after which the same request may succeed (after a metadata refresh or a back-off).</summary>
    public static bool IsRetriable(ErrorCode code) => code switch
    {
        ErrorCode.CorruptMessage or ErrorCode.UnknownTopicOrPartition or ErrorCode.LeaderNotAvailable
            or ErrorCode.NotLeaderOrFollower or ErrorCode.RequestTimedOut or ErrorCode.NetworkException
            or ErrorCode.CoordinatorLoadInProgress or ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator
            or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend or ErrorCode.KafkaStorageError
            or ErrorCode.FencedLeaderEpoch or ErrorCode.UnknownLeaderEpoch or ErrorCode.OffsetNotAvailable
            or ErrorCode.PreferredLeaderNotAvailable or ErrorCode.EligibleLeadersNotAvailable
            or ErrorCode.UnstableOffsetCommit or ErrorCode.ThrottlingQuotaExceeded or ErrorCode.BrokerNotAvailable
            or ErrorCode.ReplicaNotAvailable or ErrorCode.ConcurrentTransactions => true,
        _ => false,
    };

    /// <summary>Errors that mean the client's view of leaders is stale: refresh metadata before retrying.</summary>
    public static bool NeedsMetadataRefresh(ErrorCode code) => code is ErrorCode.UnknownTopicOrPartition
        or ErrorCode.LeaderNotAvailable or ErrorCode.NotLeaderOrFollower or ErrorCode.NetworkException
        or ErrorCode.FencedLeaderEpoch or ErrorCode.UnknownLeaderEpoch or ErrorCode.KafkaStorageError
        or ErrorCode.BrokerNotAvailable or ErrorCode.ReplicaNotAvailable;

    /// <summary>Errors that mean the group coordinator moved: find it again before retrying.</summary>
    public static bool NeedsCoordinatorRediscovery(ErrorCode code) =>
        code is ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator or ErrorCode.NetworkException or ErrorCode.RequestTimedOut;

    /// <summary>Throws a <see cref="KafkaException"/> unless <paramref name="code"/> is None.</summary>
    public static void ThrowIfError(short code, string context, string? brokerMessage = null)
    {
        if (code != 0)
        {
            ClientThrowHelper.ThrowKafka((ErrorCode)code, context, brokerMessage);
        }
    }
}
