using Runnel.Client.Benchmarks;

// dotnet run -c Release --project tests/Runnel.Client.Benchmarks -- [--small-count N] [--large-count N] [--small-size B] [--large-size B]
var settings = BenchmarkSettings.Parse(args);
return await ProducerBenchmark.RunAsync(settings);
