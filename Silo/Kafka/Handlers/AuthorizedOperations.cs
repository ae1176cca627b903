namespace Runnel.Silo.Kafka.Handlers;

/// <summary>
/// KIP-430 authorized operations: a bit set over Kafka's ACL operation codes (READ 3, WRITE 4, CREATE 5, DELETE 6,
/// ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12). Runnel has no
/// authorization yet, so a client may do every operation a resource type supports, which is what Kafka answers
/// without an authorizer; once ACLs exist these become the operations the caller's ACLs allow.
/// </summary>
internal static class AuthorizedOperations
{
    /// <summary>What a response carries when the request did not ask (Int32.MinValue, as Kafka's definitions default it).</summary>
    public const int NotRequested = int.MinValue;

    /// <summary>The operations Kafka defines on a topic: READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS.</summary>
    public const int Topic = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);

    /// <summary>The operations Kafka defines on the cluster: CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE.</summary>
    public const int Cluster = (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);

    /// <summary>The operations Kafka defines on a consumer group: READ, DELETE, DESCRIBE.</summary>
    public const int Group = (1 << 3) | (1 << 6) | (1 << 8);

    public static int When(bool requested, int operations) => requested ? operations : NotRequested;
}
