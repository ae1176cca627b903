using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>
/// FindCoordinator, answered cleanly before consumer groups exist: COORDINATOR_NOT_AVAILABLE, which every client
/// treats as retriable, with a message saying why. Transaction coordinators are refused the same way.
/// </summary>
public sealed class FindCoordinatorHandler : KafkaApiHandler<FindCoordinatorRequest, FindCoordinatorResponse>
{
    private const string NotYet = "Consumer groups are not available on this Runnel silo yet.";

    public override ApiKey Key => ApiKey.FindCoordinator;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    protected override ValueTask<FindCoordinatorResponse?> HandleAsync(RequestContext context, FindCoordinatorRequest request, CancellationToken cancellationToken)
    {
        var response = new FindCoordinatorResponse();
        if (context.ApiVersion >= 4)
        {
            foreach (string key in request.CoordinatorKeys)
            {
                response.Coordinators.Add(new()
                {
                    Key = key,
                    NodeId = -1,
                    Host = string.Empty,
                    Port = -1,
                    ErrorCode = (short)ErrorCode.CoordinatorNotAvailable,
                    ErrorMessage = NotYet,
                });
            }
        }
        else
        {
            response.ErrorCode = (short)ErrorCode.CoordinatorNotAvailable;
            response.ErrorMessage = NotYet;
            response.NodeId = -1;
            response.Host = string.Empty;
            response.Port = -1;
        }

        return ValueTask.FromResult<FindCoordinatorResponse?>(response);
    }

    protected override ErrorCode FirstError(FindCoordinatorResponse response)
        => response.Coordinators.Count > 0 ? (ErrorCode)response.Coordinators[0].ErrorCode : (ErrorCode)response.ErrorCode;
}
