using System.Globalization;
using System.Text;
using Runnel.Client.Consumer;

namespace Runnel.Cli.Records;

/// <summary>
/// A consume output template: literal text with placeholders <c>{topic}</c>, <c>{partition}</c>, <c>{offset}</c>,
/// <c>{key}</c>, <c>{value}</c>, <c>{headers}</c> (k1=v1,k2=v2), <c>{timestamp}</c> (Unix ms) and <c>{time}</c>
/// (ISO 8601); <c>{{</c> and <c>}}</c> are braces, <c>\n</c>, <c>\t</c> and <c>\\</c> escapes. Each record ends with a newline.
/// </summary>
internal sealed class RecordFormat
{
    public const string Default = "{value}";
    private static readonly string[] s_placeholders = ["topic", "partition", "offset", "key", "value", "headers", "timestamp", "time"];

    // Literal text (Placeholder null) or a placeholder, in template order.
    private readonly List<(string? Literal, string? Placeholder)> _parts;

    private RecordFormat(List<(string?, string?)> parts) => _parts = parts;

    public static string Placeholders => string.Join(", ", s_placeholders.Select(p => "{" + p + "}"));

    /// <summary>The template, or why it is not one (an unknown placeholder, an unclosed brace, a lone '}').</summary>
    public static RecordFormat Parse(string template)
    {
        var parts = new List<(string?, string?)>();
        var literal = new StringBuilder();
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            char next = i + 1 < template.Length ? template[i + 1] : '\0';
            if ((c == '{' && next == '{') || (c == '}' && next == '}'))
            {
                literal.Append(c);
                i++;
            }
            else if (c == '\\' && next is 'n' or 't' or '\\')
            {
                literal.Append(next switch { 'n' => '\n', 't' => '\t', _ => '\\' });
                i++;
            }
            else if (c == '{')
            {
                int close = template.IndexOf('}', i + 1);
                if (close < 0)
                {
                    throw CliException.Usage($"The format '{template}' opens a placeholder at position {i + 1} and never closes it.", $"placeholders: {Placeholders}; {{{{ is a brace");
                }

                string name = template[(i + 1)..close];
                if (!s_placeholders.Contains(name))
                {
                    throw CliException.Usage($"The format '{template}' names an unknown placeholder {{{name}}}.", $"placeholders: {Placeholders}");
                }

                parts.Add((literal.ToString(), null));
                literal.Clear();
                parts.Add((null, name));
                i = close;
            }
            else if (c == '}')
            {
                throw CliException.Usage($"The format '{template}' has a '}}' at position {i + 1} that closes nothing.", "write }} for a brace");
            }
            else
            {
                literal.Append(c);
            }
        }

        parts.Add((literal.ToString(), null));
        return new RecordFormat(parts);
    }

    public string Render(ConsumeResult<byte[]?, byte[]?> record)
    {
        var text = new StringBuilder();
        foreach (var (literal, placeholder) in _parts)
        {
            text.Append(placeholder is null ? literal : Value(record, placeholder));
        }

        return text.ToString();
    }

    private static string Value(ConsumeResult<byte[]?, byte[]?> record, string placeholder) => placeholder switch
    {
        "topic" => record.Topic,
        "partition" => record.Partition.ToString(CultureInfo.InvariantCulture),
        "offset" => record.Offset.ToString(CultureInfo.InvariantCulture),
        "key" => HeaderText.Text(record.Key) ?? string.Empty,
        "value" => HeaderText.Text(record.Value) ?? string.Empty,
        "headers" => HeaderText.Format(record.Headers),
        "timestamp" => record.Timestamp.ToString(CultureInfo.InvariantCulture),
        _ => DateTimeOffset.FromUnixTimeMilliseconds(record.Timestamp).ToString("O", CultureInfo.InvariantCulture),
    };
}
