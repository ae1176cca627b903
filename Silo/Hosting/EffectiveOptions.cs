using System.Text.Json;
using Microsoft.Extensions.Options;
using Runnel.Grains;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.BlobStorage.Azure;
using Runnel.Grains.Groups;
using Runnel.Grains.Tiering;
using Runnel.Silo.Kafka;

namespace Runnel.Silo.Hosting;

/// <summary>
/// Resolves every options class once before the silo starts (so a bad value stops it with the validator's message
/// before anything listens) and logs the values it will run with, secrets redacted.
/// </summary>
internal static partial class EffectiveOptions
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = false };

    public static void Log(IServiceProvider services, ILogger logger)
    {
        Write(logger, services.GetRequiredService<IOptions<KafkaListenerOptions>>().Value);
        Write(logger, services.GetRequiredService<IOptions<AdminHttpOptions>>().Value);
        Write(logger, services.GetRequiredService<IOptions<ClusteringOptions>>().Value);
        Write(logger, services.GetRequiredService<IOptions<BrokerOptions>>().Value);
        Write(logger, services.GetRequiredService<IOptions<GroupCoordinatorOptions>>().Value);
        Write(logger, services.GetRequiredService<IOptions<TieringOptions>>().Value);
        BlobTierOptions tier = services.GetRequiredService<IOptions<BlobTierOptions>>().Value;
        Write(logger, tier);
        AzureBlobStoreOptions azure = services.GetRequiredService<IOptions<AzureBlobStoreOptions>>().Value;
        if (tier.Kind == BlobStoreKind.Azure)
        {
            Write(logger, azure with { ConnectionString = Redact(azure.ConnectionString) ?? string.Empty });
        }
    }

    /// <summary>Keeps a connection string's endpoints and account name, hides its keys and signatures.</summary>
    internal static string? Redact(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return connectionString;
        }

        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < parts.Length; i++)
        {
            int eq = parts[i].IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? parts[i] : parts[i][..eq];
            if (key.Contains("key", StringComparison.OrdinalIgnoreCase) || key.Contains("signature", StringComparison.OrdinalIgnoreCase) || key.Equals("sig", StringComparison.OrdinalIgnoreCase))
            {
                parts[i] = key + "=***";
            }
        }

        return string.Join(';', parts);
    }

    private static void Write<T>(ILogger logger, T options) => LogOptions(logger, typeof(T).Name, JsonSerializer.Serialize(options, s_json));

    [LoggerMessage(Level = LogLevel.Information, Message = "{Options} {Values}")]
    private static partial void LogOptions(ILogger logger, string options, string values);
}
