// IFEval "detectable_format:*" checks: bullet lists, constrained response, highlights, sections, JSON, title.
// Not a markdown parser: each check uses the upstream regular expression or string test, quirks included.
using System.Text.Json;
using System.Text.RegularExpressions;
using Alloy.Tensors;

namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// detectable_format:number_bullet_lists — exactly <c>num_bullets</c> bullet lines: matches of
/// <c>^\s*\*[^\*].*$</c> ("* item", not "**bold**") plus matches of <c>^\s*-.*$</c> ("- item"; also "---"),
/// each counted over the whole text with Python's multi-line semantics. Numbered lists do not count.
/// <para>The patterns are evaluated by a linear scan instead of a regex engine (a backtracking engine takes
/// quadratic time on long runs of blank lines). Quirks kept: <c>\s*</c> may cross blank lines, and a lone "*" at a
/// line end swallows the next line (its <c>[^\*]</c> matches the newline), so "*\n* b" counts once.</para>
/// </summary>
internal sealed class BulletListCheck : IfEvalInstruction
{
    public static readonly string[] Accepted = ["num_bullets"];
    private readonly int _bullets;

    public BulletListCheck(IfEvalArguments arguments) : base(arguments.InstructionId) =>
        _bullets = arguments.RequiredInt("num_bullets");

    public override bool IsFollowedBy(string response) =>
        CountLineMatches(response, starBullet: true) + CountLineMatches(response, starBullet: false) == _bullets;

    // Count of findall(^\s*\*[^*].*$) (starBullet) or findall(^\s*-.*$) with re.MULTILINE.
    internal static int CountLineMatches(string text, bool starBullet)
    {
        var count = 0;
        var start = 0;
        while (start <= text.Length)
        {
            // \s* is greedy and the next token is not white space, so giving characters back never helps:
            // every line start inside this white-space run reaches the same first non-space character.
            var j = start;
            while (j < text.Length && PythonText.IsSpace(text[j])) j++;
            var matched = starBullet
                ? j + 1 < text.Length && text[j] == '*' && text[j + 1] != '*'
                : j < text.Length && text[j] == '-';
            if (matched)
            {
                count++;
                var end = text.IndexOf('\n', starBullet ? j + 2 : j + 1);
                start = LineStartAtOrAfter(text, end < 0 ? text.Length : end);
            }
            else
            {
                start = LineStartAfter(text, j);
            }
            if (start < 0) break;
        }
        return count;
    }

    // Line starts are 0 and every position right after '\n'; -1 when there is none.
    private static int LineStartAtOrAfter(string text, int p) =>
        p == 0 || text[p - 1] == '\n' ? p : LineStartAfter(text, p);

    private static int LineStartAfter(string text, int p)
    {
        var newline = text.IndexOf('\n', p);
        return newline < 0 ? -1 : newline + 1;
    }
}

/// <summary>
/// detectable_format:constrained_response — the response contains "My answer is yes.", "My answer is no." or
/// "My answer is maybe." (case-sensitive, anywhere).
/// </summary>
internal sealed class ConstrainedResponseCheck(IfEvalArguments arguments) : IfEvalInstruction(arguments.InstructionId)
{
    public static readonly string[] Accepted = [];
    private static readonly string[] Options = ["My answer is yes.", "My answer is no.", "My answer is maybe."];

    public override bool IsFollowedBy(string response)
    {
        var text = PythonText.Strip(response);
        return Options.Any(o => text.Contains(o, StringComparison.Ordinal));
    }
}

/// <summary>
/// detectable_format:number_highlighted_sections — at least <c>num_highlights</c> highlights: non-overlapping
/// single-line <c>*…*</c> spans whose inside is not blank, plus <c>**…**</c> spans whose inside is not blank
/// ("**bold**" counts once, via the double form).
/// </summary>
internal sealed partial class HighlightedSectionsCheck : IfEvalInstruction
{
    public static readonly string[] Accepted = ["num_highlights"];
    private readonly int _highlights;

    public HighlightedSectionsCheck(IfEvalArguments arguments) : base(arguments.InstructionId) =>
        _highlights = arguments.RequiredInt("num_highlights");

    [GeneratedRegex("""\*[^\n*]*\*""")]
    private static partial Regex SingleStar();

    [GeneratedRegex("""\*\*[^\n*]*\*\*""")]
    private static partial Regex DoubleStar();

    public override bool IsFollowedBy(string response)
    {
        var count = 0;
        foreach (Match m in SingleStar().Matches(response))
        {
            if (PythonText.Strip(m.Value.Trim('*')).Length > 0) count++;
        }
        foreach (Match m in DoubleStar().Matches(response))
        {
            if (PythonText.Strip(m.Value[2..^2]).Length > 0) count++;
        }
        return count >= _highlights;
    }
}

/// <summary>
/// detectable_format:multiple_sections — the number of matches of <c>\s?SPLITTER\s?\d+\s?</c> (the splitter,
/// e.g. "SECTION", taken case-sensitively as a regular expression) is at least <c>num_sections</c>. A splitter
/// inside a longer word ("SUBSECTION 2") also counts, as upstream.
/// </summary>
internal sealed class MultipleSectionsCheck : IfEvalInstruction
{
    public static readonly string[] Accepted = ["section_spliter", "num_sections"];
    private readonly Regex _splitter;
    private readonly int _sections;

    public MultipleSectionsCheck(IfEvalArguments arguments) : base(arguments.InstructionId)
    {
        var splitter = PythonText.Strip(arguments.RequiredString("section_spliter"));
        _sections = arguments.RequiredInt("num_sections");
        try
        {
            _splitter = new Regex(@"\s?" + splitter + @"\s?\d+\s?", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(10));
        }
        catch (ArgumentException e)
        {
            throw new AlloyInputException($"{arguments.Where}: section_spliter '{splitter}' of instruction '{arguments.InstructionId}' is not a valid pattern: {e.Message}", e);
        }
    }

    public override bool IsFollowedBy(string response) => _splitter.Count(response) >= _sections;
}

/// <summary>
/// detectable_format:json_format — after trimming and removing one leading "```json" / "```Json" / "```JSON"
/// and then "```", and one trailing "```", the text parses as a single JSON value (any value, not only objects).
/// <para>Difference from upstream's Python <c>json.loads</c>: the non-standard literals NaN, Infinity and
/// -Infinity are rejected here; nesting is limited to 1000 levels.</para>
/// </summary>
internal sealed class JsonFormatCheck(IfEvalArguments arguments) : IfEvalInstruction(arguments.InstructionId)
{
    public static readonly string[] Accepted = [];
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 1000 };

    public override bool IsFollowedBy(string response)
    {
        var text = PythonText.Strip(response);
        text = RemovePrefix(text, "```json");
        text = RemovePrefix(text, "```Json");
        text = RemovePrefix(text, "```JSON");
        text = RemovePrefix(text, "```");
        if (text.EndsWith("```", StringComparison.Ordinal)) text = text[..^3];
        text = PythonText.Strip(text);
        try
        {
            using var document = JsonDocument.Parse(text, Options);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string RemovePrefix(string text, string prefix) =>
        text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : text;
}

/// <summary>
/// detectable_format:title — some match of <c>&lt;&lt;[^\n]+&gt;&gt;</c> is not blank once its outer '&lt;' and
/// '&gt;' characters are removed. Because the pattern is greedy and cannot cross a newline, each line has at most
/// one match: from the line's first "&lt;&lt;" to its last "&gt;&gt;", when at least one character lies between;
/// the check scans lines that way (linear time, unlike a backtracking engine on a line of many '&lt;').
/// </summary>
internal sealed class TitleCheck(IfEvalArguments arguments) : IfEvalInstruction(arguments.InstructionId)
{
    public static readonly string[] Accepted = [];

    public override bool IsFollowedBy(string response)
    {
        foreach (var line in response.Split('\n'))
        {
            var open = line.IndexOf("<<", StringComparison.Ordinal);
            if (open < 0) continue;
            var close = line.LastIndexOf(">>", StringComparison.Ordinal);
            if (close < open + 3) continue;
            var title = line[open..(close + 2)].TrimStart('<').TrimEnd('>');
            if (PythonText.Strip(title).Length > 0) return true;
        }
        return false;
    }
}
