using System.Text;

namespace Runnel.ProtocolGen;

/// <summary>A tiny indenting text builder (4 spaces, "\n" line endings).</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public void Line(string text = "")
    {
        if (text.Length == 0)
        {
            _sb.Append('\n');
            return;
        }

        _sb.Append(' ', _indent * 4).Append(text).Append('\n');
    }

    public void Open(string header)
    {
        Line(header);
        Line("{");
        _indent++;
    }

    public void Block()
    {
        Line("{");
        _indent++;
    }

    public void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
    }

    /// <summary>Emits "if (cond)" around the body unless cond is "true".</summary>
    public void If(string condition, Action body)
    {
        if (condition == "false")
        {
            return;
        }

        if (condition == "true")
        {
            body();
            return;
        }

        Line($"if ({condition})");
        Line("{");
        _indent++;
        body();
        _indent--;
        Line("}");
    }

    public void Doc(string? about)
    {
        if (string.IsNullOrWhiteSpace(about))
        {
            return;
        }

        string escaped = about.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal)
            .Replace("\r", " ", StringComparison.Ordinal)
            .Replace("\n", " ", StringComparison.Ordinal);
        Line($"/// <summary>{escaped}</summary>");
    }

    public override string ToString() => _sb.ToString();
}
