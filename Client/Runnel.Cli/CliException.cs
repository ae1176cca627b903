namespace Runnel.Cli;

/// <summary>
/// A failure the tool explains itself: a malformed input line, a refused operation. <see cref="ErrorName"/> is
/// printed first, like a Kafka error name, so scripts and people read both kinds the same way.
/// </summary>
internal sealed class CliException(int exitCode, string errorName, string message, string? hint = null) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public string ErrorName { get; } = errorName;

    public string? Hint { get; } = hint;

    public static CliException Usage(string message, string? hint = null) => new(ExitCodes.Usage, "USAGE", message, hint);
}
