using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Client.Network;

/// <summary>
/// The versions this client implements per API, and the version negotiated with one broker:
/// min(client max, broker max), provided it is not below either minimum.
/// </summary>
internal sealed class ApiVersionTable
{
    // (key, client min, client max). Maxima stop before versions whose semantics the client does not implement:
    // Fetch 13+ and DeleteTopics 6+ address topics by id, FindCoordinator 4+ and OffsetFetch 8+ are batched.
    private static readonly (ApiKey Key, short Min, short Max)[] s_client =
    [
        (ApiKey.Produce, 3, 9),
        (ApiKey.Fetch, 4, 12),
        (ApiKey.ListOffsets, 1, 5),
        (ApiKey.Metadata, 1, 12),
        (ApiKey.OffsetCommit, 2, 8),
        (ApiKey.OffsetFetch, 1, 7),
        (ApiKey.FindCoordinator, 0, 3),
        (ApiKey.JoinGroup, 0, 7),
        (ApiKey.Heartbeat, 0, 4),
        (ApiKey.LeaveGroup, 0, 4),
        (ApiKey.SyncGroup, 0, 5),
        (ApiKey.DescribeGroups, 0, 5),
        (ApiKey.ListGroups, 0, 4),
        (ApiKey.ApiVersions, 0, 3),
        (ApiKey.CreateTopics, 0, 7),
        (ApiKey.DeleteTopics, 0, 5),
        (ApiKey.DeleteRecords, 0, 2),
        (ApiKey.InitProducerId, 0, 4),
        (ApiKey.DescribeConfigs, 0, 4),
        (ApiKey.CreatePartitions, 0, 3),
        (ApiKey.DeleteGroups, 0, 2),
        (ApiKey.IncrementalAlterConfigs, 0, 1),
    ];

    private readonly short[] _negotiated = CreateUnsupported();

    private ApiVersionTable()
    {
    }

    /// <summary>The client's own range for <paramref name="key"/>.</summary>
    public static (short Min, short Max) ClientRange(ApiKey key)
    {
        foreach (var entry in s_client)
        {
            if (entry.Key == key)
            {
                return (entry.Min, entry.Max);
            }
        }

        return (-1, -1);
    }

    public static ApiVersionTable FromResponse(ApiVersionsResponse response)
    {
        var table = new ApiVersionTable();
        foreach (ApiVersionsResponse.ApiVersion broker in response.ApiKeys)
        {
            (short min, short max) = ClientRange((ApiKey)broker.ApiKey);
            if (min < 0)
            {
                continue;
            }

            short version = Math.Min(max, broker.MaxVersion);
            if (version >= Math.Max(min, broker.MinVersion) && broker.ApiKey is >= 0 and < 128)
            {
                table._negotiated[broker.ApiKey] = version;
            }
        }

        return table;
    }

    /// <summary>The version to send, or a clear <see cref="KafkaException"/> (UnsupportedVersion) when there is none.</summary>
    public short Get(ApiKey key, BrokerEndpoint broker)
    {
        short version = (int)key is >= 0 and < 128 ? _negotiated[(int)key] : (short)-1;
        if (version < 0)
        {
            ThrowUnsupported(key, broker);
        }

        return version;
    }

    public bool IsSupported(ApiKey key) => (int)key is >= 0 and < 128 && _negotiated[(int)key] >= 0;

    private static short[] CreateUnsupported()
    {
        var versions = new short[128];
        Array.Fill(versions, (short)-1);
        return versions;
    }

    private static void ThrowUnsupported(ApiKey key, BrokerEndpoint broker)
    {
        (short min, short max) = ClientRange(key);
        ClientThrowHelper.ThrowKafka(ErrorCode.UnsupportedVersion,
            $"Broker {broker} supports no version of {key} that this client implements ({min}-{max})");
    }
}
