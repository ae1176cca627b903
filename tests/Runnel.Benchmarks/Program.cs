using System.CommandLine;
using Runnel.Benchmarks;
using Runnel.Tools.CommandLine;

// Consume throughput per tier (TierBenchmark): memory, local segment files, local-folder blobs and Azurite.
// Usage: dotnet run -c Release --project tests/Runnel.Benchmarks [-- --records N --value-bytes B]
Option<int> records = ToolOption.Int("--records", "records produced once per tier and read back", 100_000, 1);
// A value is a 12-digit record number and filler; librdkafka's default message.max.bytes is the ceiling.
Option<int> valueBytes = ToolOption.Int("--value-bytes", "bytes per record value", 1000, 12, 1_000_000);
var command = new RootCommand("Consume throughput per tier, read by kcat: from memory, from local segment files, from the local-folder blob store and from Azurite.")
{
    records,
    valueBytes,
};
command.SetAction((parsed, _) => TierBenchmark.RunAsync(parsed.GetValue(records), parsed.GetValue(valueBytes)));
return await ToolCommandLine.InvokeAsync(command, args);
