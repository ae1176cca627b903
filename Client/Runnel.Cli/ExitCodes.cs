namespace Runnel.Cli;

/// <summary>What the runnel tool's exit code means; scripts branch on these, so they never change meaning.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>The broker answered with an error (UNKNOWN_TOPIC_OR_PARTITION, NON_EMPTY_GROUP, ...), or a check failed.</summary>
    public const int KafkaError = 1;

    /// <summary>The command line or its input was wrong: unknown option, bad value, malformed record line or template.</summary>
    public const int Usage = 2;

    /// <summary>No broker (or HTTP endpoint) answered within --timeout.</summary>
    public const int Unreachable = 3;
}
