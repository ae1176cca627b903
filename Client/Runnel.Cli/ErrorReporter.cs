using System.Text;
using Runnel.Client;
using Runnel.Protocol;

namespace Runnel.Cli;

/// <summary>
/// Turns an exception into one or more lines on stderr ("runnel: ERROR_NAME: what happened" and a hint) and the
/// documented exit code. Kafka errors are named as Kafka names them, so they can be looked up.
/// </summary>
internal static class ErrorReporter
{
    public static int Report(Exception exception, CliContext? context)
    {
        switch (exception)
        {
            case CliException cli:
                Write(cli.ErrorName, cli.Message, cli.Hint);
                return cli.ExitCode;
            case AggregateException aggregate when aggregate.InnerExceptions.All(e => e is KafkaException):
                int code = ExitCodes.KafkaError;
                foreach (KafkaException inner in aggregate.InnerExceptions.Cast<KafkaException>())
                {
                    code = Math.Max(code, ReportKafka(inner, context));
                }

                return code;
            case KafkaException kafka:
                return ReportKafka(kafka, context);
            case OperationCanceledException:
                Write("TIMED_OUT", "The command did not finish within --timeout.", BrokerHint(context));
                return ExitCodes.Unreachable;
            case IOException io:
                Write("IO_ERROR", io.Message, null);
                return ExitCodes.Usage;
            default:
                Write("INTERNAL_ERROR", exception.ToString(), null);
                return ExitCodes.KafkaError;
        }
    }

    /// <summary>UNKNOWN_TOPIC_OR_PARTITION from UnknownTopicOrPartition: Kafka's own spelling of its error names.</summary>
    public static string KafkaName(ErrorCode code)
    {
        string name = code.ToString();
        var builder = new StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(name[i]));
        }

        return builder.ToString();
    }

    private static int ReportKafka(KafkaException kafka, CliContext? context)
    {
        bool unreachable = kafka.ErrorCode is ErrorCode.NetworkException or ErrorCode.RequestTimedOut or ErrorCode.BrokerNotAvailable;
        string? hint = unreachable ? BrokerHint(context) : Hint(kafka.ErrorCode);
        Write(KafkaName(kafka.ErrorCode), kafka.Message, hint);
        return unreachable ? ExitCodes.Unreachable : ExitCodes.KafkaError;
    }

    private static string? Hint(ErrorCode code) => code switch
    {
        ErrorCode.UnknownTopicOrPartition => "check the name and partition with 'runnel topic list' and 'runnel topic describe'",
        ErrorCode.TopicAlreadyExists => "'runnel topic describe' shows the existing topic",
        ErrorCode.OffsetOutOfRange => "'runnel topic describe' shows each partition's start and end offsets",
        ErrorCode.GroupIdNotFound => "'runnel group list' shows the groups",
        ErrorCode.NonEmptyGroup or ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration or ErrorCode.RebalanceInProgress =>
            "stop the group's consumers first ('runnel group describe' lists them)",
        ErrorCode.InvalidConfig => "'runnel topic describe' lists the topic's configs and their values",
        ErrorCode.InvalidPartitions => "a topic can only grow: give more partitions than it has",
        ErrorCode.InvalidReplicationFactor => "leave --replication-factor out for the broker's default",
        ErrorCode.UnsupportedVersion => "the broker does not serve this API",
        _ => null,
    };

    private static string BrokerHint(CliContext? context) =>
        $"is a broker listening at {context?.Brokers ?? CliContext.DefaultBrokers}? Set --brokers or RUNNEL_BROKERS";

    private static void Write(string name, string message, string? hint)
    {
        Console.Error.WriteLine($"runnel: {name}: {message}");
        if (hint is not null)
        {
            Console.Error.WriteLine($"  hint: {hint}");
        }
    }
}
