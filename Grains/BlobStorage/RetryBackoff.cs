using System.Net;
using System.Net.Http.Headers;

namespace Runnel.Grains.BlobStorage;

/// <summary>Which failures are worth another attempt, and how long to wait before it.</summary>
internal static class RetryBackoff
{
    /// <summary>408, 429, 500, 502, 503, 504: the request may succeed if sent again later.</summary>
    public static bool IsTransient(HttpStatusCode status) => (int)status is 408 or 429 or 500 or 502 or 503 or 504;

    /// <summary>
    /// Exponential back-off with jitter: base * 2^(retry-1), capped at the maximum, times a random 50% to 100%
    /// (so that many clients throttled together do not come back together); at least what the server's
    /// Retry-After asks for, capped at the maximum too.
    /// </summary>
    /// <param name="retry">1 for the first retry.</param>
    public static TimeSpan Delay(int retry, BlobStoreOptions options, RetryConditionHeaderValue? retryAfter, DateTimeOffset now)
    {
        double exponential = options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 30));
        double capped = Math.Min(exponential, options.RetryMaxDelay.TotalMilliseconds);
        var delay = TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() * 0.5)));
        var asked = ServerDelay(retryAfter, now);
        if (asked > delay)
        {
            delay = asked;
        }

        return delay > options.RetryMaxDelay ? options.RetryMaxDelay : delay;
    }

    private static TimeSpan ServerDelay(RetryConditionHeaderValue? retryAfter, DateTimeOffset now)
    {
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        if (retryAfter?.Date is { } date && date > now)
        {
            return date - now;
        }

        return TimeSpan.Zero;
    }
}
