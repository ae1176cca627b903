using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Runnel.Grains.BlobStorage;

/// <summary>
/// Blobs in an Azure Storage container (or Azurite), over the Blob service REST API with Shared Key
/// authorization: Put Blob, or Put Block and Put Block List above <see cref="BlobStoreOptions.SinglePutThresholdBytes"/>;
/// Get Blob with x-ms-range; Get Blob Properties; List Blobs; Delete Blob.
/// </summary>
/// <remarks>
/// Guarantees are the service's: a put is atomic (Put Blob, or the commit of Put Block List), If-Match and
/// If-None-Match are evaluated atomically by the service, so compare-and-swap holds across every writer of
/// every machine. Transient failures are retried (see <see cref="AzureBlobTransport"/> for what that means
/// for conditional writes).
/// </remarks>
public sealed partial class AzureBlobStore : IBlobStore
{
    private readonly BlobConnectionString _account;
    private readonly string _container;
    private readonly string _containerUri;
    private readonly BlobStoreOptions _options;
    private readonly BlobStoreMetrics _metrics;
    private readonly AzureBlobTransport _transport;
    private readonly ILogger _logger;
    private readonly Lock _containerGate = new();
    private Task? _containerReady;

    public AzureBlobStore(BlobConnectionString account, string container, BlobStoreOptions? options = null, ILogger<AzureBlobStore>? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        ValidateContainerName(container);
        _account = account;
        _container = container;
        _options = options ?? new BlobStoreOptions();
        _options.Validate();
        _containerUri = account.BlobEndpoint.AbsoluteUri.TrimEnd('/') + "/" + container;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _metrics = new BlobStoreMetrics(meterFactory);
        _transport = new AzureBlobTransport(new SharedKeySigner(account.AccountName, account.AccountKey), _options, _metrics, _logger);
        if (!_options.CreateContainerIfMissing)
        {
            _containerReady = Task.CompletedTask;
        }
    }

    /// <summary>The container's address, e.g. http://127.0.0.1:10000/devstoreaccount1/runnel.</summary>
    public Uri ContainerUri => new(_containerUri);

    /// <summary>Creates the container if it does not exist (done before the first request anyway, unless disabled).</summary>
    public Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        lock (_containerGate)
        {
            if (_containerReady is null || _containerReady.IsFaulted || _containerReady.IsCanceled)
            {
                _containerReady = CreateContainerAsync(cancellationToken);
            }

            return _containerReady;
        }
    }

    public async Task<bool> DeleteAsync(string name, string? ifMatch, CancellationToken cancellationToken)
    {
        string uri = BlobUri(name);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        using var response = await _transport.SendAsync("delete", name, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Delete, uri);
            if (ifMatch is not null)
            {
                request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
            }

            return request;
        }, 0, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        if ((int)response.StatusCode == 412)
        {
            // Azurite (unlike Azure) evaluates If-Match before existence: a blob that is not there was not deleted, as for Azure's 404
            if (await GetPropertiesAsync(name, cancellationToken).ConfigureAwait(false) is null)
            {
                return false;
            }

            AzureErrors.ThrowConditionFailed(name, BlobCondition.IfMatch(ifMatch!), response);
        }

        if (!response.IsSuccessStatusCode)
        {
            await FailAsync("delete", name, response, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    public ValueTask DisposeAsync()
    {
        _transport.Dispose();
        _metrics.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task CreateContainerAsync(CancellationToken cancellationToken)
    {
        using var response = await _transport.SendAsync("create_container", _container,
            () => new HttpRequestMessage(HttpMethod.Put, _containerUri + "?restype=container"), 0, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            BlobStorageLog.ContainerCreated(_logger, _container, _account.BlobEndpoint);
            return;
        }

        if (response.StatusCode == HttpStatusCode.Conflict && AzureErrors.ErrorCode(response) == "ContainerAlreadyExists")
        {
            return;
        }

        await FailAsync("create container", _container, response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The blob's address; the name's characters (see <see cref="BlobName"/>) need no escaping.</summary>
    private string BlobUri(string name)
    {
        BlobName.Validate(name);
        return _containerUri + "/" + name;
    }

    /// <summary>Throws the exception for an unexpected response; a refused signature is also logged, as it needs an operator.</summary>
    private Task FailAsync(string operation, string target, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (AzureErrors.IsSignatureRefused(response))
        {
            BlobStorageLog.AuthenticationFailed(_logger, _account.AccountName);
        }

        return AzureErrors.ThrowFailedAsync(operation, target, _account.AccountName, response, cancellationToken);
    }

    private static void ValidateContainerName(string container)
    {
        bool valid = container is { Length: >= 3 and <= 63 } &&
            container.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') &&
            container[0] != '-' && container[^1] != '-' && !container.Contains("--", StringComparison.Ordinal);
        if (!valid)
        {
            throw new ArgumentException($"Invalid container name '{container}': 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.", nameof(container));
        }
    }
}
