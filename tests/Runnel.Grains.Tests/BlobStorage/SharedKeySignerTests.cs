using Runnel.Grains.BlobStorage;

namespace Runnel.Grains.Tests.BlobStorage;

/// <summary>
/// The Shared Key string-to-sign and signature of fixed requests, checked against values worked out by hand
/// from the documented rules and an HMAC-SHA256 computed independently (Node's crypto module). That Azurite
/// accepts the signatures is what every Azure contract test shows.
/// </summary>
public sealed class SharedKeySignerTests
{
    private const string Date = "Fri, 26 Jun 2015 23:39:12 GMT";

    private static SharedKeySigner DevelopmentSigner =>
        new(BlobConnectionString.DevelopmentAccountName, Convert.FromBase64String(BlobConnectionString.DevelopmentAccountKey));

    [Fact]
    public void A_put_block_signs_length_condition_sorted_headers_and_decoded_sorted_query()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "http://127.0.0.1:10000/devstoreaccount1/mycontainer/topics/orders/0/segment.log?comp=block&blockid=YWJj%2BZA%3D%3D&Timeout=30")
        {
            Content = new ByteArrayContent("hello world"u8.ToArray()),
        };
        request.Headers.TryAddWithoutValidation("x-ms-version", "2021-08-06");
        request.Headers.TryAddWithoutValidation("X-MS-Date", Date);
        request.Headers.TryAddWithoutValidation("x-ms-blob-type", " BlockBlob ");
        request.Headers.TryAddWithoutValidation("If-Match", "\"0x8D\"");

        string stringToSign = SharedKeySigner.BuildStringToSign(request, "devstoreaccount1");

        Assert.Equal(
            "PUT\n\n\n11\n\n\n\n\n\"0x8D\"\n\n\n\n" +
            "x-ms-blob-type:BlockBlob\nx-ms-date:" + Date + "\nx-ms-version:2021-08-06\n" +
            "/devstoreaccount1/devstoreaccount1/mycontainer/topics/orders/0/segment.log\nblockid:YWJj+ZA==\ncomp:block\ntimeout:30",
            stringToSign);
        Assert.Equal("3PqUyeXuMzAI+8xnvijdUZO7Fo98Y9iwdNOTSI6Z/4w=", DevelopmentSigner.ComputeSignature(stringToSign));
    }

    [Fact]
    public void A_list_without_content_signs_an_empty_length_and_sets_the_authorization_header()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:10000/devstoreaccount1/mycontainer?restype=container&comp=list");
        request.Headers.TryAddWithoutValidation("x-ms-date", Date);
        request.Headers.TryAddWithoutValidation("x-ms-version", "2021-08-06");

        DevelopmentSigner.Sign(request);

        Assert.Equal(
            "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:" + Date + "\nx-ms-version:2021-08-06\n/devstoreaccount1/devstoreaccount1/mycontainer\ncomp:list\nrestype:container",
            SharedKeySigner.BuildStringToSign(request, "devstoreaccount1"));
        Assert.Equal("SharedKey devstoreaccount1:m6o+QSiLgI18AL3C+dJgcRmEjJFjVSCxESlYe49XWOQ=", string.Join(",", request.Headers.NonValidated["Authorization"]));
    }

    [Fact]
    public void A_zero_length_body_signs_as_an_empty_content_length()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "https://acct.blob.core.windows.net/c/empty") { Content = new ByteArrayContent([]) };

        string stringToSign = SharedKeySigner.BuildStringToSign(request, "acct");

        Assert.StartsWith("PUT\n\n\n\n", stringToSign, StringComparison.Ordinal);
        Assert.EndsWith("\n/acct/c/empty", stringToSign, StringComparison.Ordinal);
    }
}
