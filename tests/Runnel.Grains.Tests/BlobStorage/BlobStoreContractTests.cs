using System.Security.Cryptography;
using Runnel.Grains.BlobStorage;

namespace Runnel.Grains.Tests.BlobStorage;

/// <summary>
/// What every <see cref="IBlobStore"/> must do, run against each store by a derived class. Each test gets a
/// fresh, empty store (a new folder, a new container) listing in pages of <see cref="PageSize"/>.
/// </summary>
public abstract class BlobStoreContractTests : IAsyncLifetime
{
    protected const int PageSize = 5;
    private const int TenMiB = 10 * 1024 * 1024;

    /// <summary>The Azure store's default block size: large blobs go up in blocks of it.</summary>
    protected const int BlockSize = 4 * 1024 * 1024;

    private IBlobStore? _store;

    protected IBlobStore Store => _store ?? throw new InvalidOperationException("not initialized");

    internal BlobMetricsRecorder Metrics { get; } = new();

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));

    /// <summary>Every call of a test gives up after two minutes rather than hanging the run.</summary>
    protected CancellationToken Ct => _timeout.Token;

    /// <summary>A new, empty store listing <paramref name="listPageSize"/> blobs per page, recording through <paramref name="meterFactory"/>.</summary>
    internal abstract Task<IBlobStore> CreateStoreAsync(int listPageSize, System.Diagnostics.Metrics.IMeterFactory meterFactory);

    public async Task InitializeAsync() => _store = await CreateStoreAsync(PageSize, Metrics);

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        Metrics.Dispose();
        _timeout.Dispose();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(TenMiB)]
    public async Task Put_then_get_returns_the_same_bytes_and_etag(int size)
    {
        byte[] content = RandomBytes(size);
        string etag = await Store.PutAsync("round/trip.bin", content, BlobCondition.None, Ct);

        var read = await Store.GetAsync("round/trip.bin", Ct);

        Assert.NotNull(read);
        Assert.Equal(etag, read.ETag);
        Assert.True(content.AsSpan().SequenceEqual(read.Content.Span), $"{size} bytes differ after the round trip");
        Assert.Equal(size, (await Store.GetPropertiesAsync("round/trip.bin", Ct))!.Size);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(TenMiB + 3)]
    public async Task Put_from_a_stream_writes_everything_the_stream_yields(int size)
    {
        byte[] content = RandomBytes(size);
        using var stream = new MemoryStream(content);
        string etag = await Store.PutAsync("stream/blob", stream, BlobCondition.None, Ct);

        var read = await Store.GetAsync("stream/blob", Ct);

        Assert.Equal(etag, read!.ETag);
        Assert.True(content.AsSpan().SequenceEqual(read.Content.Span));
    }

    [Fact]
    public async Task Get_of_a_missing_blob_is_null()
    {
        Assert.Null(await Store.GetAsync("no/such/blob", Ct));
        Assert.Null(await Store.GetPropertiesAsync("no/such/blob", Ct));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.GetRangeAsync("no/such/blob", 0, new byte[10], Ct));
    }

    [Fact]
    public async Task Ranged_reads_return_the_asked_bytes_short_at_the_end_and_none_past_it()
    {
        byte[] content = RandomBytes(100_000);
        await Store.PutAsync("ranges", content, BlobCondition.None, Ct);
        var buffer = new byte[1000];

        Assert.Equal(1000, await Store.GetRangeAsync("ranges", 0, buffer, Ct));
        Assert.True(content.AsSpan(0, 1000).SequenceEqual(buffer));

        Assert.Equal(1000, await Store.GetRangeAsync("ranges", 54_321, buffer, Ct));
        Assert.True(content.AsSpan(54_321, 1000).SequenceEqual(buffer));

        Assert.Equal(300, await Store.GetRangeAsync("ranges", 99_700, buffer, Ct));
        Assert.True(content.AsSpan(99_700).SequenceEqual(buffer.AsSpan(0, 300)));

        Assert.Equal(1, await Store.GetRangeAsync("ranges", 99_999, buffer, Ct));
        Assert.Equal(content[^1], buffer[0]);

        Assert.Equal(0, await Store.GetRangeAsync("ranges", 100_000, buffer, Ct));
        Assert.Equal(0, await Store.GetRangeAsync("ranges", 5_000_000, buffer, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.GetRangeAsync("ranges", -1, buffer, Ct));
    }

    [Fact]
    public async Task Ranged_read_of_a_block_uploaded_blob_crosses_block_boundaries()
    {
        byte[] content = RandomBytes(TenMiB);
        await Store.PutAsync("big/segment", content, BlobCondition.None, Ct);
        var buffer = new byte[2 * 1024 * 1024];
        long offset = BlockSize - (1024 * 1024);

        Assert.Equal(buffer.Length, await Store.GetRangeAsync("big/segment", offset, buffer, Ct));
        Assert.True(content.AsSpan((int)offset, buffer.Length).SequenceEqual(buffer));
    }

    [Fact]
    public async Task If_none_match_creates_once_and_then_fails_with_the_condition_error()
    {
        string etag = await Store.PutAsync("create/only", "first"u8.ToArray(), BlobCondition.IfNoneMatch, Ct);

        var failure = await Assert.ThrowsAsync<BlobConditionFailedException>(() => Store.PutAsync("create/only", "second"u8.ToArray(), BlobCondition.IfNoneMatch, Ct));

        Assert.Equal("create/only", failure.BlobName);
        var read = await Store.GetAsync("create/only", Ct);
        Assert.Equal("first", System.Text.Encoding.UTF8.GetString(read!.Content.Span));
        Assert.Equal(etag, read.ETag);
    }

    [Fact]
    public async Task If_match_swaps_with_the_fresh_etag_and_fails_with_a_stale_one()
    {
        string first = await Store.PutAsync("cas", "v1"u8.ToArray(), BlobCondition.None, Ct);
        string second = await Store.PutAsync("cas", "v2"u8.ToArray(), BlobCondition.IfMatch(first), Ct);
        Assert.NotEqual(first, second);

        await Assert.ThrowsAsync<BlobConditionFailedException>(() => Store.PutAsync("cas", "v3"u8.ToArray(), BlobCondition.IfMatch(first), Ct));
        await Assert.ThrowsAsync<BlobConditionFailedException>(() => Store.PutAsync("absent", "v"u8.ToArray(), BlobCondition.IfMatch(first), Ct));
        Assert.Null(await Store.GetPropertiesAsync("absent", Ct));

        string third = await Store.PutAsync("cas", "v3"u8.ToArray(), BlobCondition.IfMatch(second), Ct);
        Assert.Equal("v3", System.Text.Encoding.UTF8.GetString((await Store.GetAsync("cas", Ct))!.Content.Span));
        Assert.Equal(third, (await Store.GetPropertiesAsync("cas", Ct))!.ETag);
    }

    [Fact]
    public async Task A_rewrite_with_identical_content_still_changes_the_etag()
    {
        string first = await Store.PutAsync("same", "x"u8.ToArray(), BlobCondition.None, Ct);
        string second = await Store.PutAsync("same", "x"u8.ToArray(), BlobCondition.None, Ct);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Concurrent_compare_and_swap_has_exactly_one_winner_per_round()
    {
        string etag = await Store.PutAsync("manifest", "round-0"u8.ToArray(), BlobCondition.IfNoneMatch, Ct);
        for (int round = 1; round <= 5; round++)
        {
            string expected = etag;
            int r = round;
            var attempts = Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
            {
                try
                {
                    string content = $"round-{r}-writer-{writer}";
                    return (Writer: content, ETag: await Store.PutAsync("manifest", System.Text.Encoding.UTF8.GetBytes(content), BlobCondition.IfMatch(expected), Ct));
                }
                catch (BlobConditionFailedException)
                {
                    return (Writer: (string?)null, ETag: (string?)null);
                }
            })).ToArray();
            var results = await Task.WhenAll(attempts);

            var winners = results.Where(x => x.Writer is not null).ToList();
            Assert.True(winners.Count == 1, $"round {round}: {winners.Count} writers won");
            var current = await Store.GetAsync("manifest", Ct);
            Assert.Equal(winners[0].Writer, System.Text.Encoding.UTF8.GetString(current!.Content.Span));
            Assert.Equal(winners[0].ETag, current.ETag);
            etag = current.ETag;
        }
    }

    [Fact]
    public async Task List_returns_the_prefix_in_name_order_across_pages()
    {
        var names = Enumerable.Range(0, 3 * PageSize + 2).Select(i => $"topics/orders/{i % 3}/{i:D8}.log").ToList();
        foreach (var name in names)
        {
            await Store.PutAsync(name, RandomBytes(names.IndexOf(name)), BlobCondition.None, Ct);
        }

        await Store.PutAsync("topics/other/0/00000000.log", "x"u8.ToArray(), BlobCondition.None, Ct);
        await Store.PutAsync("topicsx", "x"u8.ToArray(), BlobCondition.None, Ct);
        var listed = await ToListAsync(Store.ListAsync("topics/orders/", Ct));

        Assert.Equal(names.Order(StringComparer.Ordinal), listed.Select(b => b.Name));
        foreach (var item in listed)
        {
            var properties = await Store.GetPropertiesAsync(item.Name, Ct);
            Assert.Equal(properties!.ETag, item.ETag);
            Assert.Equal(names.IndexOf(item.Name), item.Size);
        }

        Assert.Equal(["topics/orders/1/00000010.log", "topics/orders/1/00000013.log", "topics/orders/1/00000016.log"], (await ToListAsync(Store.ListAsync("topics/orders/1/0000001", Ct))).Select(b => b.Name));
        Assert.Equal(names.Count + 2, (await ToListAsync(Store.ListAsync("topics", Ct))).Count);
        Assert.Equal(names.Count + 2, (await ToListAsync(Store.ListAsync(string.Empty, Ct))).Count);
        Assert.Empty(await ToListAsync(Store.ListAsync("nothing/here/", Ct)));
    }

    [Fact]
    public async Task List_reads_more_than_one_page()
    {
        for (int i = 0; i < 2 * PageSize + 1; i++)
        {
            await Store.PutAsync($"paged/{i:D3}", new[] { (byte)i }, BlobCondition.None, Ct);
        }

        double before = Metrics.Sum("runnel.blob.requests", ("operation", "list"));
        var listed = await ToListAsync(Store.ListAsync("paged/", Ct));

        Assert.Equal(2 * PageSize + 1, listed.Count);
        Assert.Equal(3, Metrics.Sum("runnel.blob.requests", ("operation", "list")) - before);
    }

    [Fact]
    public async Task Delete_reports_whether_the_blob_existed_and_is_idempotent()
    {
        await Store.PutAsync("a/b/c", "x"u8.ToArray(), BlobCondition.None, Ct);

        Assert.True(await Store.DeleteAsync("a/b/c", null, Ct));
        Assert.False(await Store.DeleteAsync("a/b/c", null, Ct));
        Assert.False(await Store.DeleteAsync("never/was", "\"0x1\"", Ct));
        Assert.Null(await Store.GetAsync("a/b/c", Ct));
        Assert.Empty(await ToListAsync(Store.ListAsync("a/", Ct)));
    }

    [Fact]
    public async Task Delete_with_if_match_deletes_only_the_version_it_names()
    {
        string old = await Store.PutAsync("leased", "1"u8.ToArray(), BlobCondition.None, Ct);
        string current = await Store.PutAsync("leased", "2"u8.ToArray(), BlobCondition.None, Ct);

        await Assert.ThrowsAsync<BlobConditionFailedException>(() => Store.DeleteAsync("leased", old, Ct));
        Assert.NotNull(await Store.GetAsync("leased", Ct));
        Assert.True(await Store.DeleteAsync("leased", current, Ct));
    }

    [Fact]
    public async Task Properties_report_size_etag_and_a_recent_modification_time()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);
        string etag = await Store.PutAsync("props/blob", RandomBytes(12345), BlobCondition.None, Ct);

        var properties = await Store.GetPropertiesAsync("props/blob", Ct);

        Assert.Equal(12345, properties!.Size);
        Assert.Equal(etag, properties.ETag);
        Assert.InRange(properties.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/absolute")]
    [InlineData("../escape")]
    [InlineData("a/../b")]
    [InlineData("a/./b")]
    [InlineData("a//b")]
    [InlineData("trailing/")]
    [InlineData("back\\slash")]
    [InlineData("space here")]
    [InlineData("nul\0byte")]
    [InlineData("percent%2F")]
    [InlineData(".runnel/lock")]
    public async Task Malformed_names_are_refused_before_any_request(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(name, "x"u8.ToArray(), BlobCondition.None, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.GetAsync(name, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync(name, null, Ct));
        Assert.Equal(0, Metrics.Sum("runnel.blob.requests", ("operation", "put")));
    }

    [Fact]
    public async Task Metrics_count_requests_bytes_and_durations()
    {
        await Store.PutAsync("metered", RandomBytes(1000), BlobCondition.None, Ct);
        await Store.GetAsync("metered", Ct);
        await Store.GetRangeAsync("metered", 100, new byte[10], Ct);
        await Assert.ThrowsAsync<BlobConditionFailedException>(() => Store.PutAsync("metered", RandomBytes(1), BlobCondition.IfNoneMatch, Ct));

        Assert.Equal(1, Metrics.Sum("runnel.blob.requests", ("operation", "put"), ("status", "ok")));
        Assert.Equal(1, Metrics.Sum("runnel.blob.requests", ("operation", "put"), ("status", "condition_failed")));
        Assert.Equal(1000, Metrics.Sum("runnel.blob.sent.bytes", ("operation", "put")));
        Assert.Equal(1010, Metrics.Sum("runnel.blob.received.bytes"));
        Assert.True(Metrics.Count("runnel.blob.request.duration", ("operation", "get")) >= 1);
    }

    protected static byte[] RandomBytes(int size)
    {
        var bytes = new byte[size];
        RandomNumberGenerator.Fill(bytes);
        return bytes;
    }

    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
