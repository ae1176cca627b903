using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Runnel.Grains.BlobStorage;

namespace Runnel.Grains.Tests.BlobStorage;

/// <summary><see cref="AzureBlobStore"/>'s retries against a local server that answers from a script.</summary>
public sealed class AzureRetryTests
{
    private static readonly ScriptedResponse s_created = new(201, ("ETag", "\"0xCREATED\""));

    private static BlobStoreOptions FastRetries => new()
    {
        CreateContainerIfMissing = false,
        RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        RetryMaxDelay = TimeSpan.FromSeconds(5),
        MaxRetries = 3,
    };

    [Fact]
    public async Task Two_503s_then_success_is_retried_to_success_with_a_fresh_signature_each_time()
    {
        using var server = new ScriptedHttpServer(new(503), new(503), s_created);
        using var metrics = new BlobMetricsRecorder();
        await using var store = new AzureBlobStore(BlobConnectionString.Parse(server.ConnectionString), "container", FastRetries, meterFactory: metrics);

        string etag = await store.PutAsync("blob", "payload"u8.ToArray(), BlobCondition.None, CancellationToken.None);

        Assert.Equal("\"0xCREATED\"", etag);
        var requests = server.Requests.ToList();
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Equal(("PUT", "/testaccount/container/blob"), (r.Method, r.PathAndQuery)));
        Assert.All(requests, r => Assert.StartsWith("SharedKey testaccount:", r.Authorization, StringComparison.Ordinal));
        Assert.Equal(2, metrics.Sum("runnel.blob.requests", ("operation", "put"), ("status", "throttled")));
        Assert.Equal(1, metrics.Sum("runnel.blob.requests", ("operation", "put"), ("status", "ok")));
        Assert.Equal(7, metrics.Sum("runnel.blob.sent.bytes"));
    }

    [Fact]
    public async Task A_429_waits_at_least_what_retry_after_asks()
    {
        using var server = new ScriptedHttpServer(new(429, ("Retry-After", "1")), s_created);
        await using var store = new AzureBlobStore(BlobConnectionString.Parse(server.ConnectionString), "container", FastRetries);
        var clock = Stopwatch.StartNew();

        await store.PutAsync("blob", "x"u8.ToArray(), BlobCondition.None, CancellationToken.None);

        Assert.Equal(2, server.Requests.Count);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950), $"retried after {clock.ElapsedMilliseconds} ms despite Retry-After: 1");
    }

    [Fact]
    public async Task Retries_give_up_after_the_limit_with_the_last_status()
    {
        using var server = new ScriptedHttpServer(new ScriptedResponse(500, ("x-ms-error-code", "InternalError")));
        await using var store = new AzureBlobStore(BlobConnectionString.Parse(server.ConnectionString), "container", FastRetries);

        var error = await Assert.ThrowsAsync<BlobStoreException>(() => store.PutAsync("blob", "x"u8.ToArray(), BlobCondition.None, CancellationToken.None));

        Assert.Equal(500, error.StatusCode);
        Assert.Equal("InternalError", error.ErrorCode);
        Assert.Equal(1 + FastRetries.MaxRetries, server.Requests.Count);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(409)]
    public async Task Client_errors_are_not_retried(int status)
    {
        using var server = new ScriptedHttpServer(new ScriptedResponse(status));
        await using var store = new AzureBlobStore(BlobConnectionString.Parse(server.ConnectionString), "container", FastRetries);

        var error = await Assert.ThrowsAsync<BlobStoreException>(() => store.PutAsync("blob", "x"u8.ToArray(), BlobCondition.None, CancellationToken.None));

        Assert.Equal(status, error.StatusCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_412_is_a_condition_failure_and_not_retried()
    {
        using var server = new ScriptedHttpServer(new ScriptedResponse(412, ("x-ms-error-code", "ConditionNotMet")));
        await using var store = new AzureBlobStore(BlobConnectionString.Parse(server.ConnectionString), "container", FastRetries);

        var error = await Assert.ThrowsAsync<BlobConditionFailedException>(() => store.PutAsync("blob", "x"u8.ToArray(), BlobCondition.IfMatch("\"0x1\""), CancellationToken.None));

        Assert.Equal("ConditionNotMet", error.ErrorCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Connection_failures_are_retried_then_reported_with_the_socket_error()
    {
        int closedPort;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        using var metrics = new BlobMetricsRecorder();
        var account = BlobConnectionString.Parse($"AccountName=testaccount;AccountKey={Convert.ToBase64String(new byte[32])};BlobEndpoint=http://127.0.0.1:{closedPort}/testaccount");
        await using var store = new AzureBlobStore(account, "container", FastRetries, meterFactory: metrics);

        var error = await Assert.ThrowsAsync<BlobStoreException>(() => store.GetAsync("blob", CancellationToken.None));

        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.Equal(1 + FastRetries.MaxRetries, metrics.Sum("runnel.blob.requests", ("operation", "get"), ("status", "network_error")));
    }

    [Fact]
    public void Back_off_grows_exponentially_with_jitter_and_respects_the_cap()
    {
        var options = new BlobStoreOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(100), RetryMaxDelay = TimeSpan.FromSeconds(1) };
        var now = DateTimeOffset.UtcNow;

        for (int i = 0; i < 100; i++)
        {
            Assert.InRange(RetryBackoff.Delay(1, options, null, now).TotalMilliseconds, 50, 100);
            Assert.InRange(RetryBackoff.Delay(3, options, null, now).TotalMilliseconds, 200, 400);
            Assert.InRange(RetryBackoff.Delay(20, options, null, now).TotalMilliseconds, 500, 1000);
        }

        Assert.Equal(TimeSpan.FromSeconds(1), RetryBackoff.Delay(1, options, new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(60)), now));
        Assert.InRange(RetryBackoff.Delay(1, options, new System.Net.Http.Headers.RetryConditionHeaderValue(now.AddMilliseconds(700)), now).TotalMilliseconds, 690, 710);
    }
}
