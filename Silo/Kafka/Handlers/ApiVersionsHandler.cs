using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>ApiVersions: the advertised range of every API; each version in a range is really implemented.</summary>
public sealed class ApiVersionsHandler : KafkaApiHandler<ApiVersionsRequest, ApiVersionsResponse>
{
    private readonly IServiceProvider _services;

    public ApiVersionsHandler(IServiceProvider services) => _services = services;

    public override ApiKey Key => ApiKey.ApiVersions;

    public override short MinVersion => 0;

    // v3 is the first flexible version (KIP-511); v4 only changes how errors may be answered, which we do as v0 anyway.
    public override short MaxVersion => 3;

    protected override ValueTask<ApiVersionsResponse?> HandleAsync(RequestContext context, ApiVersionsRequest request, CancellationToken cancellationToken)
    {
        context.Session.ClientSoftwareName = request.ClientSoftwareName;
        context.Session.ClientSoftwareVersion = request.ClientSoftwareVersion;
        ApiVersionsResponse response = Build(_services.GetRequiredService<RequestDispatcher>());
        return ValueTask.FromResult<ApiVersionsResponse?>(response);
    }

    protected override ErrorCode FirstError(ApiVersionsResponse response) => (ErrorCode)response.ErrorCode;

    /// <summary>The answer to a version we do not know: the v0 layout with UNSUPPORTED_VERSION and our ranges (KIP-511).</summary>
    internal static ApiVersionsResponse UnsupportedVersionResponse(RequestDispatcher dispatcher)
    {
        ApiVersionsResponse response = Build(dispatcher);
        response.ErrorCode = (short)ErrorCode.UnsupportedVersion;
        return response;
    }

    private static ApiVersionsResponse Build(RequestDispatcher dispatcher)
    {
        var response = new ApiVersionsResponse();
        foreach (IKafkaApiHandler handler in dispatcher.Handlers)
        {
            response.ApiKeys.Add(new() { ApiKey = (short)handler.Key, MinVersion = handler.MinVersion, MaxVersion = handler.MaxVersion });
        }

        return response;
    }
}
