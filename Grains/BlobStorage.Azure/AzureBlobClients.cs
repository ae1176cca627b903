using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;

namespace Runnel.Grains.BlobStorage.Azure;

/// <summary>Builds the SDK's client from our options: the retry policy set explicitly, and a connection string error as one clear line.</summary>
internal static class AzureBlobClients
{
    private const string AcceptedForms =
        "Accepted: 'UseDevelopmentStorage=true', 'DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...[;EndpointSuffix=...][;BlobEndpoint=...]' " +
        "or 'BlobEndpoint=https://...;SharedAccessSignature=...'.";

    /// <summary>The SDK options: retries as configured (not the SDK's defaults), and <paramref name="perAttempt"/> on every attempt.</summary>
    public static BlobClientOptions CreateClientOptions(AzureBlobStoreOptions options, HttpPipelinePolicy? perAttempt)
    {
        var client = new BlobClientOptions();
        client.Retry.Mode = options.RetryMode == BlobRetryMode.Fixed ? RetryMode.Fixed : RetryMode.Exponential;
        client.Retry.MaxRetries = options.MaxRetries;
        client.Retry.Delay = options.RetryDelay;
        client.Retry.MaxDelay = options.RetryMaxDelay;
        client.Retry.NetworkTimeout = options.NetworkTimeout;

        // The blob names, container and error messages are ours to log; the SDK's own request logging would repeat them.
        client.Diagnostics.IsLoggingEnabled = false;
        client.Diagnostics.IsDistributedTracingEnabled = false;
        if (perAttempt is not null)
        {
            client.AddPolicy(perAttempt, HttpPipelinePosition.PerRetry);
        }

        return client;
    }

    /// <summary>
    /// Parses the connection string the SDK's way (no I/O). A string it refuses is an <see cref="ArgumentException"/>
    /// saying why in one line, never repeating the string (it holds the account key or the signature).
    /// </summary>
    public static BlobServiceClient CreateServiceClient(string connectionString, BlobClientOptions options)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new ArgumentException("The Azure Storage connection string is empty. " + AcceptedForms);
        }

        try
        {
            return new BlobServiceClient(connectionString, options);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new ArgumentException($"The Azure Storage connection string is not valid: {FirstLine(e.Message)} {AcceptedForms}", e);
        }
    }

    /// <summary>The service address without its query: a SAS in it is a secret and stays out of logs.</summary>
    public static Uri EndpointWithoutSecrets(Uri uri) => new UriBuilder(uri) { Query = string.Empty }.Uri;

    private static string FirstLine(string message)
    {
        string line = message.Split('\n')[0].Trim();
        return line.EndsWith('.') ? line : line + ".";
    }
}
