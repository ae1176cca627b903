using Azure;

namespace Runnel.Grains.BlobStorage.Azure;

/// <summary>
/// Turns what the SDK throws into the blob store's own exceptions, so that tiering code sees the same
/// <see cref="BlobStoreException"/> family whichever store it runs on.
/// </summary>
/// <remarks>
/// The SDK throws <see cref="RequestFailedException"/> for an error response (Status and ErrorCode set) and for a
/// request that got no response (Status 0); an <see cref="AggregateException"/> of those when every retry failed
/// without a response; <see cref="OperationCanceledException"/> when its network timeout fired; and
/// <see cref="IOException"/> when a response body broke off.
/// </remarks>
internal static class AzureErrors
{
    public const string BlobNotFound = "BlobNotFound";

    /// <summary>Whether <paramref name="e"/> is a failure of the request (to translate), not the caller's cancellation or a bug.</summary>
    public static bool IsRequestFailure(Exception e, CancellationToken cancellationToken) => e switch
    {
        RequestFailedException or AggregateException or IOException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    public static bool IsBlobNotFound(Exception e) => e is RequestFailedException { Status: 404, ErrorCode: BlobNotFound };

    public static bool IsConditionFailure(Exception e) =>
        e is RequestFailedException failed && BlobRequestMetricsPolicy.IsConditionFailure(failed.Status, failed.ErrorCode);

    public static bool IsCredentialsRefused(RequestFailedException e) =>
        e.Status == 403 && e.ErrorCode is "AuthenticationFailed" or "AuthorizationFailure" or "AuthorizationPermissionMismatch";

    public static BlobConditionFailedException ConditionFailed(string name, BlobCondition condition, Exception e)
    {
        var failed = e as RequestFailedException;
        return new BlobConditionFailedException(name, condition, failed?.Status ?? 0, failed?.ErrorCode);
    }

    /// <summary>The <see cref="BlobStoreException"/> for a failed request, with the SDK's exception inside.</summary>
    public static BlobStoreException Translate(string operation, string target, Exception e, int maxRetries)
    {
        switch (e)
        {
            case RequestFailedException { Status: > 0 } failed when IsCredentialsRefused(failed):
                return new BlobStoreException(
                    $"Blob {operation} of '{target}' was refused: HTTP 403 {failed.ErrorCode}. The credentials were not accepted: check AccountName and AccountKey, or the shared access signature (its permissions and expiry), in the connection string.",
                    failed.Status, failed.ErrorCode, e);
            case RequestFailedException { Status: > 0 } failed:
                return new BlobStoreException($"Blob {operation} of '{target}' failed: HTTP {failed.Status} {failed.ErrorCode}: {FirstLine(failed.Message)}", failed.Status, failed.ErrorCode, e);
            case OperationCanceledException:
                return new BlobStoreException($"Blob {operation} of '{target}' failed: no response within the network timeout.", 0, null, e);
            default:
                return new BlobStoreException($"Blob {operation} of '{target}' failed after at most {maxRetries + 1} attempts: {FirstLine(Innermost(e).Message)}", 0, null, e);
        }
    }

    private static Exception Innermost(Exception e)
    {
        while (true)
        {
            Exception? inner = e is AggregateException aggregate ? aggregate.InnerExceptions[^1] : e.InnerException;
            if (inner is null)
            {
                return e;
            }

            e = inner;
        }
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
