using System.CommandLine;

namespace Runnel.Tools.CommandLine;

/// <summary>What every group member is told: the options GroupMembers.Start gives each client's driver.</summary>
internal sealed record GroupMemberSettings(string Bootstrap, string Topic, string Group, string ClientId, int SessionTimeoutMs);

/// <summary>
/// The command line of the .NET consumer-group members the group failover tests start (tests/Runnel.Client.GroupMember,
/// tests/Runnel.ConfluentKafka.GroupMember), the same as the Python and Node drivers':
/// <c>--bootstrap H:P --topic T --group G --client-id C [--session-timeout-ms 6000]</c>.
/// </summary>
internal sealed class GroupMemberCommandLine
{
    private readonly Option<string> _bootstrap = ToolOption.Text("--bootstrap", "the brokers, host:port", required: true);
    private readonly Option<string> _topic = ToolOption.Text("--topic", "the topic to subscribe to", required: true);
    private readonly Option<string> _group = ToolOption.Text("--group", "group.id", required: true);
    private readonly Option<string> _clientId = ToolOption.Text("--client-id", "client.id", required: true);
    private readonly Option<int> _sessionTimeoutMs = ToolOption.Int("--session-timeout-ms", "session.timeout.ms", 6000, 1);

    /// <summary>The root command with the common options; a member adds its own before setting the action.</summary>
    public RootCommand Create(string description) => new(description) { _bootstrap, _topic, _group, _clientId, _sessionTimeoutMs };

    public GroupMemberSettings Read(ParseResult parsed) => new(
        parsed.GetRequiredValue(_bootstrap), parsed.GetRequiredValue(_topic), parsed.GetRequiredValue(_group),
        parsed.GetRequiredValue(_clientId), parsed.GetValue(_sessionTimeoutMs));
}
