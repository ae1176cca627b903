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
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: Runnel.ProtocolGen <definitionsDir> <outputDir>");
            return 2;
        }

        string[] files = Directory.GetFiles(args[0], "*.json");
        Array.Sort(files, StringComparer.Ordinal);
        var messages = new List<MessageDef>();
        foreach (string file in files)
        {
            messages.Add(MessageDef.Load(file));
        }

        Directory.CreateDirectory(args[1]);
        foreach (string stale in Directory.GetFiles(args[1], "*.g.cs"))
        {
            File.Delete(stale);
        }

        foreach (MessageDef m in messages)
        {
            File.WriteAllText(Path.Combine(args[1], m.Name + ".g.cs"), MessageEmitter.Emit(m));
        }

        File.WriteAllText(Path.Combine(args[1], "ApiKey.g.cs"), CatalogEmitter.EmitApiKey(messages));
        File.WriteAllText(Path.Combine(args[1], "ApiMessageCatalog.g.cs"), CatalogEmitter.Emit(messages));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Generated {messages.Count} messages into {args[1]}"));
        return 0;
    }
}
