using System.Reflection;

namespace Runnel.Silo.Tests.Infrastructure;

/// <summary>Locations of the repository, the silo build output and the interop scripts.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>The repository root: the first ancestor of the test output folder holding Runnel.slnx.</summary>
    public static string Root => s_root.Value;

    /// <summary>The build configuration the tests were compiled with (Release under test.sh).</summary>
    public static string Configuration =>
        typeof(RepoPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    public static string PythonScripts => Path.Combine(Root, "tests", "interop", "python");

    public static string NodeScripts => Path.Combine(Root, "tests", "interop", "node");

    /// <summary>
    /// The silo's entry assembly. Preference: RUNNEL_SILO_DLL, then Silo/bin/&lt;configuration&gt;/net10.0
    /// (the project's own output, with its own deps.json and runtimeconfig.json), then the copy the
    /// project reference puts next to the test assembly.
    /// </summary>
    public static string SiloDll
    {
        get
        {
            var candidates = new List<string>();
            var fromEnv = Environment.GetEnvironmentVariable("RUNNEL_SILO_DLL");
            if (!string.IsNullOrEmpty(fromEnv))
            {
                candidates.Add(fromEnv);
            }

            candidates.Add(Path.Combine(Root, "Silo", "bin", Configuration, "net10.0", "Runnel.Silo.dll"));
            candidates.Add(Path.Combine(AppContext.BaseDirectory, "Runnel.Silo.dll"));
            foreach (var candidate in candidates)
            {
                if (File.Exists(candidate) && File.Exists(Path.ChangeExtension(candidate, ".runtimeconfig.json")))
                {
                    return candidate;
                }
            }

            throw new FileNotFoundException(
                "Runnel.Silo.dll (with its runtimeconfig.json) was not found; looked in: " + string.Join(", ", candidates) +
                $". Build it first: dotnet build Silo -c {Configuration}");
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Runnel.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("No ancestor of " + AppContext.BaseDirectory + " contains Runnel.slnx.");
    }
}
