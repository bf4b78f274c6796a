using System.Globalization;
using System.Text;

namespace MlPipelines.Evaluation.Reports.Markup;

/// <summary>
/// Writes well-formed HTML/SVG markup: elements are opened and closed through a stack (closing checks the name),
/// every text and attribute value is escaped, names are checked, empty elements are self-closed. Output is
/// well-formed XML as well as valid HTML5 (SVG inline), so it can be parsed by both.
/// </summary>
internal sealed class MarkupWriter
{
    private readonly StringBuilder _sb = new();
    private readonly Stack<string> _open = new();

    /// <summary>Number of elements still open.</summary>
    public int Depth => _open.Count;

    /// <summary>Writes the HTML5 doctype.</summary>
    public MarkupWriter Doctype()
    {
        _sb.Append("<!DOCTYPE html>\n");
        return this;
    }

    /// <summary>Opens <paramref name="name"/> with attributes (null values are left out).</summary>
    public MarkupWriter Open(string name, params (string Name, string? Value)[] attributes)
    {
        StartTag(name, attributes);
        _sb.Append('>');
        _open.Push(name);
        return this;
    }

    /// <summary>Closes the innermost element, which must be <paramref name="name"/>.</summary>
    public MarkupWriter Close(string name)
    {
        if (_open.Count == 0 || _open.Peek() != name)
            throw new InvalidOperationException($"Cannot close <{name}>: the open element is {(_open.Count == 0 ? "none" : $"<{_open.Peek()}>")}.");
        _open.Pop();
        _sb.Append("</").Append(name).Append('>');
        return this;
    }

    /// <summary>Writes an element with no content, self-closed.</summary>
    public MarkupWriter Empty(string name, params (string Name, string? Value)[] attributes)
    {
        StartTag(name, attributes);
        _sb.Append("/>");
        return this;
    }

    /// <summary>Writes an element holding only <paramref name="text"/> (escaped).</summary>
    public MarkupWriter Element(string name, string? text, params (string Name, string? Value)[] attributes)
    {
        Open(name, attributes);
        Text(text);
        return Close(name);
    }

    /// <summary>
    /// Writes a &lt;style&gt; element. HTML reads style content as raw text (entities are not decoded), so instead of
    /// escaping, the style sheet must not contain &lt;, &gt; or &amp;.
    /// </summary>
    public MarkupWriter Style(string css)
    {
        ArgumentNullException.ThrowIfNull(css);
        if (css.AsSpan().IndexOfAny('<', '>', '&') >= 0)
            throw new ArgumentException("A style sheet written raw must not contain <, > or &.", nameof(css));
        Open("style");
        _sb.Append(css);
        return Close("style");
    }

    /// <summary>Writes escaped text.</summary>
    public MarkupWriter Text(string? text)
    {
        AppendEscaped(text ?? string.Empty, attribute: false);
        return this;
    }

    /// <summary>Writes a line break in the source (between block elements; no effect on rendering).</summary>
    public MarkupWriter Line()
    {
        _sb.Append('\n');
        return this;
    }

    /// <summary>The markup; every element must be closed.</summary>
    public override string ToString()
    {
        if (_open.Count != 0) throw new InvalidOperationException($"<{_open.Peek()}> is still open.");
        return _sb.ToString();
    }

    /// <summary>Formats a number for markup: invariant culture, shortest round-trip form, at most <paramref name="decimals"/> decimals.</summary>
    public static string Number(double value, int decimals = 2) =>
        Math.Round(value, decimals).ToString("0.##########", CultureInfo.InvariantCulture);

    private void StartTag(string name, (string Name, string? Value)[] attributes)
    {
        CheckName(name);
        _sb.Append('<').Append(name);
        foreach (var (attr, value) in attributes)
        {
            if (value is null) continue;
            CheckName(attr);
            _sb.Append(' ').Append(attr).Append("=\"");
            AppendEscaped(value, attribute: true);
            _sb.Append('"');
        }
    }

    private void AppendEscaped(string text, bool attribute)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '<': _sb.Append("&lt;"); break;
                case '>': _sb.Append("&gt;"); break;
                case '&': _sb.Append("&amp;"); break;
                case '"' when attribute: _sb.Append("&quot;"); break;
                case '\'' when attribute: _sb.Append("&#39;"); break;
                case '\n' or '\r' or '\t' when attribute: _sb.Append("&#").Append((int)c).Append(';'); break;
                case '\t' or '\n' or '\r': _sb.Append(c); break;
                // Characters XML forbids (other C0 controls, U+FFFE, U+FFFF, lone surrogates) become U+FFFD.
                case < ' ' or '\uFFFE' or '\uFFFF': _sb.Append('\uFFFD'); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                        _sb.Append(c).Append(text[++i]);
                    else if (char.IsSurrogate(c))
                        _sb.Append('\uFFFD');
                    else
                        _sb.Append(c);
                    break;
            }
        }
    }

    private static void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || !char.IsAsciiLetter(name[0]) || !name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or ':' or '_'))
            throw new ArgumentException($"'{name}' is not a valid element or attribute name.", nameof(name));
    }
}
