using System.Globalization;
using System.Text;
using Runnel.Client;

namespace Runnel.Cli.Records;

/// <summary>Headers as text: <c>key=value</c> on the command line, <c>k1=v1,k2=v2</c> in a format template.</summary>
internal static class HeaderText
{
    public const string Expected = "key=value with a non-empty key";

    public static bool TryParse(string text, out Header header)
    {
        header = default;
        int equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            return false;
        }

        header = Header.Utf8(text[..equals], text[(equals + 1)..]);
        return true;
    }

    public static string Format(IReadOnlyList<Header> headers) =>
        string.Join(',', headers.Select(h => h.Key + "=" + (h.ValueAsString() ?? string.Empty)));

    /// <summary>Bytes as UTF-8 text; bytes that are not UTF-8 become U+FFFD rather than failing the whole record.</summary>
    public static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
