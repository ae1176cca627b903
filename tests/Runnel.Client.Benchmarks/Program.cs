using Runnel.Client.Benchmarks;
using Runnel.Tools.CommandLine;

// dotnet run -c Release --project tests/Runnel.Client.Benchmarks -- [--small-count N] [--large-count N] [--small-size B] [--large-size B]
//   [--linger-ms 5] [--batch-bytes 1000000]; --help lists them with their defaults.
return await ToolCommandLine.InvokeAsync(BenchmarkSettings.Command(ProducerBenchmark.RunAsync), args);
