using Runnel.Grains.BlobStorage;

namespace Runnel.Grains.Tests.BlobStorage;

public sealed class BlobConnectionStringTests
{
    private const string Key = "a2V5LWJ5dGVzLWZvci10ZXN0aW5nLW9ubHk="; // base64 of "key-bytes-for-testing-only"

    [Theory]
    [InlineData("UseDevelopmentStorage=true")]
    [InlineData("usedevelopmentstorage=TRUE;")]
    [InlineData("  UseDevelopmentStorage = true ; ")]
    public void Development_storage_is_azurites_well_known_account(string text)
    {
        var parsed = BlobConnectionString.Parse(text);

        Assert.True(parsed.IsDevelopmentStorage);
        Assert.Equal("devstoreaccount1", parsed.AccountName);
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), parsed.BlobEndpoint);
        Assert.Equal(Convert.FromBase64String(BlobConnectionString.DevelopmentAccountKey), parsed.AccountKey);
    }

    [Fact]
    public void An_account_without_endpoint_gets_the_public_cloud_address()
    {
        var parsed = BlobConnectionString.Parse($"DefaultEndpointsProtocol=https;AccountName=myaccount;AccountKey={Key};EndpointSuffix=core.windows.net");

        Assert.False(parsed.IsDevelopmentStorage);
        Assert.Equal("myaccount", parsed.AccountName);
        Assert.Equal("key-bytes-for-testing-only", System.Text.Encoding.ASCII.GetString(parsed.AccountKey));
        Assert.Equal(new Uri("https://myaccount.blob.core.windows.net"), parsed.BlobEndpoint);
    }

    [Fact]
    public void Endpoint_suffix_and_protocol_shape_the_default_endpoint()
    {
        var parsed = BlobConnectionString.Parse($"AccountName=myaccount;AccountKey={Key};EndpointSuffix=core.chinacloudapi.cn;DefaultEndpointsProtocol=http");

        Assert.Equal(new Uri("http://myaccount.blob.core.chinacloudapi.cn"), parsed.BlobEndpoint);
    }

    [Fact]
    public void An_explicit_blob_endpoint_wins_and_keeps_its_path()
    {
        var parsed = BlobConnectionString.Parse($"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};BlobEndpoint=http://127.0.0.1:41234/devstoreaccount1/;");

        Assert.Equal("http://127.0.0.1:41234/devstoreaccount1", parsed.BlobEndpoint.AbsoluteUri.TrimEnd('/'));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData(";;", "no settings")]
    [InlineData("UseDevelopmentStorage=false", "must be 'true'")]
    [InlineData("UseDevelopmentStorage=true;AccountName=x", "no other settings")]
    [InlineData("AccountName=myaccount", "no AccountKey")]
    [InlineData("AccountKey=" + Key, "no AccountName")]
    [InlineData("AccountName=myaccount;AccountKey=not*base64", "not valid base64")]
    [InlineData("AccountName=MyAccount;AccountKey=" + Key, "not a storage account name")]
    [InlineData("AccountName=myaccount;AccountKey=" + Key + ";DefaultEndpointsProtocol=ftp", "'https' or 'http'")]
    [InlineData("AccountName=myaccount;AccountKey=" + Key + ";BlobEndpoint=not a url", "BlobEndpoint")]
    [InlineData("AccountName=myaccount;AccountKey=" + Key + ";BlobEndpoint=ftp://host/x", "BlobEndpoint")]
    [InlineData("AccountName=myaccount;AccountName=other;AccountKey=" + Key, "more than once")]
    [InlineData("AccountName=myaccount;justtext;AccountKey=" + Key, "Key=Value")]
    [InlineData("AccountName=;AccountKey=" + Key, "has no value")]
    [InlineData("BlobEndpoint=https://a.blob.core.windows.net;SharedAccessSignature=sv=2021&sig=x", "not supported")]
    public void Malformed_strings_are_refused_with_a_message_saying_why(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => BlobConnectionString.Parse(text));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_and_text_never_repeat_the_key()
    {
        var error = Assert.Throws<FormatException>(() => BlobConnectionString.Parse($"AccountName=UPPER;AccountKey={Key}"));
        var parsed = BlobConnectionString.Parse($"AccountName=myaccount;AccountKey={Key}");

        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, parsed.ToString(), StringComparison.Ordinal);
    }
}
