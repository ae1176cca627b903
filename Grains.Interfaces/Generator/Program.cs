using System.CommandLine;
using System.Globalization;

namespace Runnel.ProtocolGen;

/// <summary>
/// Usage: dotnet run --project Grains.Interfaces/Generator -- &lt;definitionsDir&gt; &lt;outputDir&gt;
/// Writes &lt;Name&gt;.g.cs per JSON definition plus ApiKey.g.cs and ApiMessageCatalog.g.cs.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var definitions = new Argument<DirectoryInfo>("definitionsDir") { Description = "folder of the Kafka JSON message definitions" };
        var output = new Argument<DirectoryInfo>("outputDir") { Description = "folder the generated *.g.cs files replace" };
        var root = new RootCommand("Generates Runnel's Kafka protocol messages from the official JSON definitions.") { definitions, output };
        root.SetAction(parsed => Generate(parsed.GetValue(definitions)!, parsed.GetValue(output)!));
        ParseResult result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            Console.Error.WriteLine($"Runnel.ProtocolGen: {result.Errors[0].Message} (--help shows the usage)");
            return 2;
        }

        return result.Invoke();
    }

    private static int Generate(DirectoryInfo definitions, DirectoryInfo output)
    {
        if (!definitions.Exists)
        {
            Console.Error.WriteLine($"Runnel.ProtocolGen: the definitions folder '{definitions.FullName}' does not exist.");
            return 2;
        }

        string[] files = Directory.GetFiles(definitions.FullName, "*.json");
        Array.Sort(files, StringComparer.Ordinal);
        var messages = new List<MessageDef>();
        foreach (string file in files)
        {
            messages.Add(MessageDef.Load(file));
        }

        Directory.CreateDirectory(output.FullName);
        foreach (string stale in Directory.GetFiles(output.FullName, "*.g.cs"))
        {
            File.Delete(stale);
        }

        foreach (MessageDef m in messages)
        {
            File.WriteAllText(Path.Combine(output.FullName, m.Name + ".g.cs"), MessageEmitter.Emit(m));
        }

        File.WriteAllText(Path.Combine(output.FullName, "ApiKey.g.cs"), CatalogEmitter.EmitApiKey(messages));
        File.WriteAllText(Path.Combine(output.FullName, "ApiMessageCatalog.g.cs"), CatalogEmitter.Emit(messages));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Generated {messages.Count} messages into {output}"));
        return 0;
    }
}
