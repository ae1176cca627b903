namespace Runnel.Grains.BlobStorage;

/// <summary>
/// An Azure Storage connection string, reduced to what the blob store needs: the account, its Shared Key and
/// the blob endpoint.
/// </summary>
/// <remarks>
/// Accepted forms (keys are case-insensitive, segments separated by ';', a trailing ';' is fine):
/// <list type="bullet">
/// <item>"UseDevelopmentStorage=true": Azurite's well-known account devstoreaccount1 at http://127.0.0.1:10000/devstoreaccount1.</item>
/// <item>"DefaultEndpointsProtocol=https;AccountName=a;AccountKey=base64[;EndpointSuffix=core.windows.net][;BlobEndpoint=url]":
/// without BlobEndpoint the endpoint is {protocol}://{account}.blob.{suffix}.</item>
/// </list>
/// Shared access signatures and token credentials are not supported: the store signs with the account key.
/// Error messages never repeat the key.
/// </remarks>
public sealed class BlobConnectionString
{
    /// <summary>Azurite's documented development account.</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>Azurite's documented development key (public, the same on every machine).</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private BlobConnectionString(string accountName, byte[] accountKey, Uri blobEndpoint, bool isDevelopmentStorage)
    {
        AccountName = accountName;
        AccountKey = accountKey;
        BlobEndpoint = blobEndpoint;
        IsDevelopmentStorage = isDevelopmentStorage;
    }

    public string AccountName { get; }

    /// <summary>The decoded account key, the HMAC-SHA256 key of Shared Key signatures.</summary>
    internal byte[] AccountKey { get; }

    /// <summary>The blob service's base address; a container's address is this plus "/{container}".</summary>
    public Uri BlobEndpoint { get; }

    public bool IsDevelopmentStorage { get; }

    /// <summary>The connection string of Azurite's development account at <paramref name="blobEndpoint"/>.</summary>
    public static BlobConnectionString ForDevelopmentStorage(Uri blobEndpoint) =>
        new(DevelopmentAccountName, Convert.FromBase64String(DevelopmentAccountKey), blobEndpoint, isDevelopmentStorage: true);

    /// <exception cref="FormatException">The string is not a usable connection string; the message says why.</exception>
    public static BlobConnectionString Parse(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new FormatException("The blob connection string is empty.");
        }

        var settings = Split(connectionString);
        if (settings.TryGetValue("UseDevelopmentStorage", out var development))
        {
            if (!string.Equals(development, "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new FormatException($"UseDevelopmentStorage must be 'true' (got '{development}').");
            }

            if (settings.Keys.Any(k => !k.Equals("UseDevelopmentStorage", StringComparison.OrdinalIgnoreCase) && !k.Equals("BlobEndpoint", StringComparison.OrdinalIgnoreCase)))
            {
                throw new FormatException("UseDevelopmentStorage=true takes no other settings except BlobEndpoint.");
            }

            var endpoint = settings.TryGetValue("BlobEndpoint", out var devEndpoint) ? ParseEndpoint(devEndpoint) : new Uri("http://127.0.0.1:10000/" + DevelopmentAccountName);
            return ForDevelopmentStorage(endpoint);
        }

        foreach (var unsupported in new[] { "SharedAccessSignature", "DevelopmentStorageProxyUri" })
        {
            if (settings.ContainsKey(unsupported))
            {
                throw new FormatException($"{unsupported} is not supported; use AccountName and AccountKey (Shared Key).");
            }
        }

        string accountName = Required(settings, "AccountName");
        if (accountName.Length is < 3 or > 24 || !accountName.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)))
        {
            if (accountName != DevelopmentAccountName)
            {
                throw new FormatException($"AccountName '{accountName}' is not a storage account name (3-24 lowercase letters and digits).");
            }
        }

        string encodedKey = Required(settings, "AccountKey");
        byte[] key;
        try
        {
            key = Convert.FromBase64String(encodedKey);
        }
        catch (FormatException)
        {
            throw new FormatException("AccountKey is not valid base64 (copy the key exactly as the portal shows it).");
        }

        if (key.Length == 0)
        {
            throw new FormatException("AccountKey is empty.");
        }

        string protocol = settings.TryGetValue("DefaultEndpointsProtocol", out var p) ? p.ToLowerInvariant() : "https";
        if (protocol is not ("https" or "http"))
        {
            throw new FormatException($"DefaultEndpointsProtocol must be 'https' or 'http' (got '{protocol}').");
        }

        Uri blobEndpoint = settings.TryGetValue("BlobEndpoint", out var explicitEndpoint)
            ? ParseEndpoint(explicitEndpoint)
            : ParseEndpoint($"{protocol}://{accountName}.blob.{(settings.TryGetValue("EndpointSuffix", out var suffix) ? suffix : "core.windows.net")}");
        return new BlobConnectionString(accountName, key, blobEndpoint, isDevelopmentStorage: false);
    }

    public override string ToString() => $"AccountName={AccountName};BlobEndpoint={BlobEndpoint}";

    private static Dictionary<string, string> Split(string connectionString)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var rawSegment in connectionString.Split(';'))
        {
            var segment = rawSegment.Trim();
            if (segment.Length == 0)
            {
                continue;
            }

            int equals = segment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                string shown = segment.Length > 20 ? segment[..20] + "..." : segment;
                throw new FormatException($"Connection string segment '{shown}' is not of the form Key=Value.");
            }

            string key = segment[..equals].Trim();
            string value = segment[(equals + 1)..].Trim(); // base64 keys end with '=': only the first one separates
            if (value.Length == 0)
            {
                throw new FormatException($"Connection string setting '{key}' has no value.");
            }

            if (!settings.TryAdd(key, value))
            {
                throw new FormatException($"Connection string setting '{key}' appears more than once.");
            }
        }

        if (settings.Count == 0)
        {
            throw new FormatException("The blob connection string has no settings.");
        }

        return settings;
    }

    private static string Required(Dictionary<string, string> settings, string key) =>
        settings.TryGetValue(key, out var value) ? value : throw new FormatException($"The connection string has no {key}.");

    private static Uri ParseEndpoint(string value)
    {
        if (!Uri.TryCreate(value.TrimEnd('/'), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") ||
            !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw new FormatException($"BlobEndpoint '{value}' is not an http or https address without query.");
        }

        return uri;
    }
}
