using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace Runnel.MicroBenchmarks;

/// <summary>
/// Micro-benchmarks of the silo's produce and fetch hot paths. A short job (3 warm-ups, 5 iterations) keeps a full
/// run to a few minutes on the 2-core machine; pass BenchmarkDotNet's own arguments (e.g. --filter *Fetch*) after --.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        IConfig config = DefaultConfig.Instance
            .AddJob(Job.ShortRun.WithWarmupCount(3).WithIterationCount(5).WithLaunchCount(1))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithOptions(ConfigOptions.JoinSummary);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }
}
