using System.Security.Cryptography;
using System.Text;

namespace Runnel.Grains.BlobStorage;

/// <summary>
/// Azure Storage "Shared Key" authorization of a Blob service request (versions 2009-09-19 and later), built
/// from the documented rules: the string-to-sign of the verb, twelve standard headers, the canonicalized
/// x-ms-* headers and the canonicalized resource, signed with HMAC-SHA256 under the decoded account key.
/// </summary>
internal sealed class SharedKeySigner
{
    private static readonly string[] s_standardHeaders =
    [
        "Content-Encoding", "Content-Language", "Content-Length", "Content-MD5", "Content-Type", "Date",
        "If-Modified-Since", "If-Match", "If-None-Match", "If-Unmodified-Since", "Range",
    ];

    private readonly string _accountName;
    private readonly byte[] _accountKey;

    public SharedKeySigner(string accountName, byte[] accountKey)
    {
        _accountName = accountName;
        _accountKey = accountKey;
    }

    /// <summary>Sets the Authorization header; the request must already carry x-ms-date and every header it will send.</summary>
    public void Sign(HttpRequestMessage request)
    {
        string stringToSign = BuildStringToSign(request, _accountName);
        request.Headers.TryAddWithoutValidation("Authorization", $"SharedKey {_accountName}:{ComputeSignature(stringToSign)}");
    }

    public string ComputeSignature(string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(_accountKey, Encoding.UTF8.GetBytes(stringToSign)));

    /// <summary>
    /// VERB, then Content-Encoding, Content-Language, Content-Length (empty when 0), Content-MD5, Content-Type,
    /// Date, If-Modified-Since, If-Match, If-None-Match, If-Unmodified-Since, Range, each followed by a newline;
    /// then the canonicalized headers and the canonicalized resource.
    /// </summary>
    public static string BuildStringToSign(HttpRequestMessage request, string accountName)
    {
        ArgumentNullException.ThrowIfNull(request.RequestUri);
        var builder = new StringBuilder(256);
        builder.Append(request.Method.Method).Append('\n');
        foreach (var header in s_standardHeaders)
        {
            string value = HeaderValue(request, header);
            if (header == "Content-Length" && value == "0")
            {
                value = string.Empty; // since version 2015-02-21 a zero length signs as empty
            }

            builder.Append(value).Append('\n');
        }

        AppendCanonicalizedHeaders(builder, request);
        AppendCanonicalizedResource(builder, request.RequestUri, accountName);
        return builder.ToString();
    }

    /// <summary>Every x-ms-* header, name lowercased, sorted by name, "name:value\n", value trimmed with whitespace runs folded.</summary>
    private static void AppendCanonicalizedHeaders(StringBuilder builder, HttpRequestMessage request)
    {
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var header in request.Headers.NonValidated)
        {
            if (header.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            {
                headers[header.Key.ToLowerInvariant()] = FoldWhitespace(string.Join(',', header.Value));
            }
        }

        foreach (var (name, value) in headers)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }
    }

    /// <summary>
    /// "/{account}{escaped path}", then for each query parameter, names lowercased and sorted, values URL-decoded
    /// and, when repeated, sorted and comma-joined: "\n{name}:{values}". For Azurite's path-style addresses the
    /// path starts with the account too, so it appears twice, as documented for the emulator.
    /// </summary>
    private static void AppendCanonicalizedResource(StringBuilder builder, Uri uri, string accountName)
    {
        builder.Append('/').Append(accountName).Append(uri.AbsolutePath);
        string query = uri.Query;
        if (query.Length <= 1)
        {
            return;
        }

        var parameters = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            string name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]).ToLowerInvariant();
            string value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            if (!parameters.TryGetValue(name, out var values))
            {
                parameters[name] = values = [];
            }

            values.Add(value);
        }

        foreach (var (name, values) in parameters)
        {
            values.Sort(StringComparer.Ordinal);
            builder.Append('\n').Append(name).Append(':').AppendJoin(',', values);
        }
    }

    private static string HeaderValue(HttpRequestMessage request, string name)
    {
        if (request.Headers.NonValidated.TryGetValues(name, out var values))
        {
            return string.Join(',', values);
        }

        if (request.Content is not null)
        {
            if (name == "Content-Length")
            {
                return request.Content.Headers.ContentLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
            }

            if (request.Content.Headers.NonValidated.TryGetValues(name, out var contentValues))
            {
                return string.Join(',', contentValues);
            }
        }

        return string.Empty;
    }

    private static string FoldWhitespace(string value)
    {
        value = value.Trim();
        if (!value.Contains("  ", StringComparison.Ordinal))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        foreach (char c in value)
        {
            if (c != ' ' || builder.Length == 0 || builder[^1] != ' ')
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
