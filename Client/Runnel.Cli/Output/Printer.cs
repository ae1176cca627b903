using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Runnel.Cli.Output;

/// <summary>
/// Where results go: Spectre tables for people, one compact JSON document per result (or per record) for scripts.
/// Everything goes to stdout; errors and progress go to stderr so a pipe only ever sees results.
/// </summary>
internal static class Printer
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,

        // Keys and values are shown as they are: '<', '&' and non-ASCII text need no escaping outside HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly Lazy<IAnsiConsole> s_console = new(() =>
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });

        // A pipe has no width; 80 columns would wrap ids and offsets mid-cell.
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 240;
        }

        return console;
    });

    public static IAnsiConsole Terminal => s_console.Value;

    public static void Json(object value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, s_json));

    public static void Json(JsonNode? node) => Console.Out.WriteLine(node?.ToJsonString(s_json) ?? "null");

    /// <summary>A table with plain-text cells (nothing in a cell is read as Spectre markup).</summary>
    public static void Table(string? title, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<object?>> rows)
    {
        var table = new Table().Border(TableBorder.Rounded);
        if (title is not null)
        {
            table.Title = new TableTitle(title);
        }

        foreach (string header in headers)
        {
            table.AddColumn(new TableColumn(new Text(header)));
        }

        foreach (IReadOnlyList<object?> row in rows)
        {
            table.AddRow(row.Select(cell => (IRenderable)new Text(Cell(cell))).ToArray());
        }

        Terminal.Write(table);
    }

    /// <summary>Name/value lines, for one object.</summary>
    public static void Properties(IEnumerable<(string Name, object? Value)> properties) =>
        Table(null, ["property", "value"], properties.Select(p => (IReadOnlyList<object?>)[p.Name, p.Value]));

    public static void Line(string text) => Console.Out.WriteLine(text);

    private static string Cell(object? value) => value switch
    {
        null => "-",
        IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "-",
    };
}
