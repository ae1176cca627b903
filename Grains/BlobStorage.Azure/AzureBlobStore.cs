using System.Diagnostics.Metrics;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Runnel.Grains.BlobStorage.Azure;

/// <summary>
/// Blobs in an Azure Storage container (or Azurite) through the official SDK, Azure.Storage.Blobs.
/// </summary>
/// <remarks>
/// Guarantees are the service's: a put is atomic (Put Blob, or the commit of Put Block List), If-Match and
/// If-None-Match are evaluated by the service, so compare-and-swap holds across every writer of every machine.
/// Transient failures are retried by the SDK as <see cref="AzureBlobStoreOptions"/> says. A retried conditional
/// write whose first response was lost reports a condition failure although it won: callers re-read after a
/// condition failure (the manifest writer does).
/// </remarks>
public sealed partial class AzureBlobStore : IBlobStore
{
    private readonly AzureBlobStoreOptions _options;
    private readonly BlobContainerClient _container;
    private readonly BlobStoreMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Lock _containerGate = new();
    private Task? _containerReady;

    /// <exception cref="ArgumentException">The options, the connection string among them, are not usable; the message says why.</exception>
    public AzureBlobStore(AzureBlobStoreOptions options, ILogger<AzureBlobStore>? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _metrics = new BlobStoreMetrics(meterFactory);
        var clientOptions = AzureBlobClients.CreateClientOptions(options, new BlobRequestMetricsPolicy(_metrics, _logger, options.MaxRetries));
        _container = AzureBlobClients.CreateServiceClient(options.ConnectionString, clientOptions).GetBlobContainerClient(options.Container);
        ContainerUri = AzureBlobClients.EndpointWithoutSecrets(_container.Uri);
        AzureBlobStorageLog.Opened(_logger, options.Container, ContainerUri, options.RetryMode, options.MaxRetries,
            options.RetryDelay.TotalMilliseconds, options.RetryMaxDelay.TotalMilliseconds, options.NetworkTimeout.TotalMilliseconds);
        if (!options.CreateContainerIfMissing)
        {
            _containerReady = Task.CompletedTask;
        }
    }

    /// <summary>The container's address without any shared access signature, e.g. http://127.0.0.1:10000/devstoreaccount1/runnel.</summary>
    public Uri ContainerUri { get; }

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
        BlobName.Validate(name);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var conditions = ifMatch is null ? null : new BlobRequestConditions { IfMatch = new ETag(ifMatch) };
        try
        {
            await _container.GetBlobClient(name).DeleteAsync(DeleteSnapshotsOption.None, conditions, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (AzureErrors.IsBlobNotFound(e))
        {
            return false;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            // Azurite (unlike Azure) evaluates If-Match before existence: a blob that is not there was not deleted, as for Azure's 404
            return await GetPropertiesAsync(name, cancellationToken).ConfigureAwait(false) is null
                ? false
                : throw AzureErrors.ConditionFailed(name, BlobCondition.IfMatch(ifMatch!), e);
        }
        catch (Exception e) when (AzureErrors.IsRequestFailure(e, cancellationToken))
        {
            throw Fail("delete", name, e);
        }
    }

    public ValueTask DisposeAsync()
    {
        _metrics.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task CreateContainerAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false) is not null)
            {
                AzureBlobStorageLog.ContainerCreated(_logger, _options.Container, ContainerUri);
            }
        }
        catch (Exception e) when (AzureErrors.IsRequestFailure(e, cancellationToken))
        {
            throw Fail("create container", _options.Container, e);
        }
    }

    /// <summary>The exception to throw for a failed request; refused credentials are also logged, as they need an operator.</summary>
    private BlobStoreException Fail(string operation, string target, Exception e)
    {
        if (e is RequestFailedException failed && AzureErrors.IsCredentialsRefused(failed))
        {
            AzureBlobStorageLog.CredentialsRefused(_logger, _container.AccountName, failed.ErrorCode);
        }

        return AzureErrors.Translate(operation, target, e, _options.MaxRetries);
    }

    /// <summary>Quoted like the ETag header: the List Blobs XML carries ETags without quotes, and callers compare with ==.</summary>
    private static string Quoted(ETag etag)
    {
        string value = etag.ToString();
        return value.StartsWith('"') ? value : "\"" + value + "\"";
    }
}
