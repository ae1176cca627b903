using Microsoft.Extensions.Options;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>
/// FindCoordinator: one silo coordinates every group, so a group key (type 0) is answered with this silo; v4 batches
/// keys. Transaction coordinators (type 1) are refused with a non-retriable error and a message saying why, so a
/// transactional producer fails at once instead of retrying until its timeout.
/// </summary>
public sealed class FindCoordinatorHandler : KafkaApiHandler<FindCoordinatorRequest, FindCoordinatorResponse>
{
    private const sbyte GroupKey = 0;
    private const sbyte TransactionKey = 1;
    private const string NoTransactions = "Transactions are not supported by this Runnel silo yet.";

    private readonly KafkaListenerOptions _options;

    public FindCoordinatorHandler(IOptions<KafkaListenerOptions> options) => _options = options.Value;

    public override ApiKey Key => ApiKey.FindCoordinator;

    // v0 must stay in the range: librdkafka 2.0.2 enables consumer groups only if it is.
    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    protected override ValueTask<FindCoordinatorResponse?> HandleAsync(RequestContext context, FindCoordinatorRequest request, CancellationToken cancellationToken)
    {
        var response = new FindCoordinatorResponse();
        if (context.ApiVersion >= 4)
        {
            foreach (string key in request.CoordinatorKeys)
            {
                (ErrorCode error, string? message) = Check(request.KeyType);
                bool found = error == ErrorCode.None;
                response.Coordinators.Add(new()
                {
                    Key = key,
                    NodeId = found ? _options.NodeId : -1,
                    Host = found ? _options.Host : string.Empty,
                    Port = found ? _options.Port : -1,
                    ErrorCode = (short)error,
                    ErrorMessage = message,
                });
            }
        }
        else
        {
            (ErrorCode error, string? message) = Check(context.ApiVersion >= 1 ? request.KeyType : GroupKey);
            bool found = error == ErrorCode.None;
            response.ErrorCode = (short)error;
            response.ErrorMessage = message;
            response.NodeId = found ? _options.NodeId : -1;
            response.Host = found ? _options.Host : string.Empty;
            response.Port = found ? _options.Port : -1;
        }

        return ValueTask.FromResult<FindCoordinatorResponse?>(response);
    }

    private static (ErrorCode Error, string? Message) Check(sbyte keyType) => keyType switch
    {
        GroupKey => (ErrorCode.None, null),
        TransactionKey => (ErrorCode.TransactionalIdAuthorizationFailed, NoTransactions),
        _ => (ErrorCode.InvalidRequest, $"Unknown coordinator key type {keyType}."),
    };

    protected override ErrorCode FirstError(FindCoordinatorResponse response)
        => response.Coordinators.Count > 0 ? (ErrorCode)response.Coordinators[0].ErrorCode : (ErrorCode)response.ErrorCode;
}
