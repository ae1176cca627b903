using System.Diagnostics.CodeAnalysis;
using System.Xml.Linq;

namespace Runnel.Grains.BlobStorage;

/// <summary>
/// Turns an unexpected Blob service response into the matching exception, out of line so that the request
/// paths stay small. The error code comes from the x-ms-error-code header (also sent on HEAD responses, which
/// have no body), the message from the XML error body when there is one.
/// </summary>
internal static class AzureErrors
{
    public static string? ErrorCode(HttpResponseMessage response) =>
        response.Headers.NonValidated.TryGetValues("x-ms-error-code", out var values) ? string.Join(',', values) : null;

    /// <summary>
    /// A refused Shared Key signature: Azure answers 403 AuthenticationFailed, Azurite 403 AuthorizationFailure.
    /// </summary>
    public static bool IsSignatureRefused(HttpResponseMessage response) =>
        (int)response.StatusCode == 403 && ErrorCode(response) is "AuthenticationFailed" or "AuthorizationFailure";

    /// <summary>412, or 409 BlobAlreadyExists (what a create-only Put answers when the blob exists).</summary>
    public static bool IsConditionFailure(HttpResponseMessage response) =>
        (int)response.StatusCode == 412 || ((int)response.StatusCode == 409 && ErrorCode(response) == "BlobAlreadyExists");

    [DoesNotReturn]
    public static void ThrowConditionFailed(string name, BlobCondition condition, HttpResponseMessage response) =>
        throw new BlobConditionFailedException(name, condition, (int)response.StatusCode, ErrorCode(response));

    [DoesNotReturn]
    public static async Task ThrowFailedAsync(string operation, string target, string account, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        int status = (int)response.StatusCode;
        string? code = ErrorCode(response);
        string? message = await ReadMessageAsync(response, cancellationToken).ConfigureAwait(false);
        string text = IsSignatureRefused(response)
            ? $"Blob {operation} of '{target}' was refused: HTTP 403 {code}. The Shared Key signature did not match: check AccountName '{account}' and AccountKey in the connection string."
            : $"Blob {operation} of '{target}' failed: HTTP {status} {code ?? response.ReasonPhrase}{(message is null ? string.Empty : ": " + message)}";
        throw new BlobStoreException(text, status, code);
    }

    private static async Task<string?> ReadMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (body.Length == 0)
            {
                return null;
            }

            var message = XDocument.Parse(body).Root?.Element("Message")?.Value;
            return message?.Split('\n')[0].Trim();
        }
        catch (System.Xml.XmlException)
        {
            return null; // not the documented XML error body (a proxy's page, say): the status says enough
        }
    }
}
