using System.Net;
using System.Net.Sockets;
using Azure.Storage;
using Azure.Storage.Sas;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.BlobStorage.Azure;
using Xunit.Abstractions;

namespace Runnel.Grains.Tests.BlobStorage;

/// <summary>
/// The connection strings the Azure SDK accepts work end to end against Azurite (account key, shared access
/// signature, development storage); the ones it refuses are a one-line <see cref="ArgumentException"/> that never
/// repeats the secret.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureConnectionStringTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const string SecretKey = "c2VjcmV0LWtleS10aGF0LW11c3Qtbm90LWJlLXByaW50ZWQ=";

    public static TheoryData<string> Forms => new()
    {
        "account key, explicit protocol and endpoint",
        "account key, endpoint only",
        "account SAS",
    };

    [Theory]
    [MemberData(nameof(Forms))]
    public async Task Each_form_writes_reads_lists_and_deletes(string form)
    {
        var endpoint = azurite.Azurite.BlobEndpoint;
        string connectionString = form switch
        {
            "account key, explicit protocol and endpoint" => azurite.ConnectionString,
            "account key, endpoint only" => $"AccountName={AzuriteProcess.DevelopmentAccountName};AccountKey={AzuriteProcess.DevelopmentAccountKey};BlobEndpoint={endpoint}",
            _ => $"BlobEndpoint={endpoint};SharedAccessSignature={AccountSas(AccountSasPermissions.All)}",
        };

        await RoundTripAsync(connectionString);
    }

    [Fact]
    public async Task A_sas_without_write_permission_is_refused_with_a_clear_403()
    {
        await using var store = new AzureBlobStore(AzureBlobStoreContractTests.Options($"BlobEndpoint={azurite.Azurite.BlobEndpoint};SharedAccessSignature={AccountSas(AccountSasPermissions.Read | AccountSasPermissions.List)}")
            with { CreateContainerIfMissing = false });

        var error = await Assert.ThrowsAsync<BlobStoreException>(() => store.PutAsync("x", "x"u8.ToArray(), BlobCondition.None, CancellationToken.None));

        Assert.Equal(403, error.StatusCode);
        Assert.Contains("shared access signature", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sig=", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// UseDevelopmentStorage=true means Azurite at 127.0.0.1:10000. The round trip needs that port; on a machine
    /// where something else holds it, only the resolved address is checked (and the test says so).
    /// </summary>
    [Fact]
    public async Task Development_storage_is_azurite_on_its_well_known_port()
    {
        await using (var store = new AzureBlobStore(new AzureBlobStoreOptions { ConnectionString = "UseDevelopmentStorage=true", Container = "dev" }))
        {
            Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1/dev"), store.ContainerUri);
        }

        if (!PortIsFree(10000))
        {
            output.WriteLine("Port 10000 is taken on this machine: only the address was checked, no round trip.");
            return;
        }

        using var location = new TempDirectory();
        using var wellKnown = new AzuriteProcess(location.Path, 10000);
        try
        {
            await wellKnown.StartAsync();
        }
        catch (InvalidOperationException) when (wellKnown.Output.Contains("EADDRINUSE", StringComparison.Ordinal))
        {
            // another process took the port between the check and the start (this machine is shared)
            output.WriteLine("Port 10000 was taken while Azurite started: only the address was checked, no round trip.");
            return;
        }

        await RoundTripAsync("UseDevelopmentStorage=true");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("garbage")]
    [InlineData("UseDevelopmentStorage=false")]
    [InlineData("AccountName=runnel")]
    [InlineData("AccountName=runnel;AccountKey=" + SecretKey + ";AccountName=other")]
    [InlineData("DefaultEndpointsProtocol=ftp;AccountName=runnel;AccountKey=" + SecretKey)]
    [InlineData("BlobEndpoint=not a uri;AccountName=runnel;AccountKey=" + SecretKey)]
    public void A_malformed_connection_string_is_one_clear_line_without_the_secret(string connectionString)
    {
        var error = Assert.Throws<ArgumentException>(() => new AzureBlobStore(new AzureBlobStoreOptions { ConnectionString = connectionString }));

        Assert.StartsWith("The Azure Storage connection string is", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain(SecretKey, error.Message, StringComparison.Ordinal);
        Assert.Contains("UseDevelopmentStorage=true", error.Message, StringComparison.Ordinal); // the accepted forms
    }

    [Fact]
    public void A_bad_container_name_or_retry_setting_is_refused_before_any_request()
    {
        Assert.Throws<ArgumentException>(() => new AzureBlobStore(new AzureBlobStoreOptions { ConnectionString = "UseDevelopmentStorage=true", Container = "Bad_Name" }));
        Assert.Throws<ArgumentException>(() => new AzureBlobStore(new AzureBlobStoreOptions { ConnectionString = "UseDevelopmentStorage=true", MaxRetries = -1 }));
        Assert.Throws<ArgumentException>(() => new AzureBlobStore(new AzureBlobStoreOptions
        {
            ConnectionString = "UseDevelopmentStorage=true",
            RetryDelay = TimeSpan.FromSeconds(10),
            RetryMaxDelay = TimeSpan.FromSeconds(1),
        }));
    }

    private static async Task RoundTripAsync(string connectionString)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var store = new AzureBlobStore(AzureBlobStoreContractTests.Options(connectionString));
        string etag = await store.PutAsync("form/blob", "content"u8.ToArray(), BlobCondition.IfNoneMatch, cts.Token);

        var read = await store.GetAsync("form/blob", cts.Token);
        Assert.Equal("content", System.Text.Encoding.UTF8.GetString(read!.Content.Span));
        Assert.Equal(etag, read.ETag);
        await foreach (var item in store.ListAsync("form/", cts.Token))
        {
            Assert.Equal(("form/blob", etag), (item.Name, item.ETag));
        }

        Assert.True(await store.DeleteAsync("form/blob", etag, cts.Token));
    }

    /// <summary>An account SAS for the development account, signed with its (public) key, valid for an hour.</summary>
    private static string AccountSas(AccountSasPermissions permissions)
    {
        var builder = new AccountSasBuilder(permissions, DateTimeOffset.UtcNow.AddHours(1), AccountSasServices.Blobs, AccountSasResourceTypes.All)
        {
            StartsOn = DateTimeOffset.UtcNow.AddMinutes(-5),
            Protocol = SasProtocol.HttpsAndHttp,
        };
        return builder.ToSasQueryParameters(new StorageSharedKeyCredential(AzuriteProcess.DevelopmentAccountName, AzuriteProcess.DevelopmentAccountKey)).ToString();
    }

    private static bool PortIsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
