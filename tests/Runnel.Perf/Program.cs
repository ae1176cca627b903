using Runnel.Tools.CommandLine;

namespace Runnel.Perf;

/// <summary>
/// runnel-perf: exit code 0 when every record was sent and received, 1 when some were not, 2 for a bad command line
/// (one line on stderr), 3 after --timeout-s. The commands and their options: <see cref="PerfCommandLine"/>, --help.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) => ToolCommandLine.InvokeAsync(PerfCommandLine.Create(), args);
}
