// IFEval "detectable_format:*" checks: bullet lists, constrained response, highlights, sections, JSON, title.
// Not a markdown parser: each check uses the upstream regular expression or string test, quirks included.
using System.Text.Json;
using System.Text.RegularExpressions;
using Alloy.Tensors;

namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// detectable_format:number_bullet_lists — exactly <c>num_bullets</c> bullet lines: lines matching
/// <c>^\s*\*[^\*].*$</c> ("* item", not "**bold**") plus lines matching <c>^\s*-.*$</c> ("- item"; also "---").
/// Numbered lists do not count.
/// </summary>
internal sealed partial class BulletListCheck : IfEvalInstruction
{
    public static readonly string[] Accepted = ["num_bullets"];
    private readonly int _bullets;

    public BulletListCheck(IfEvalArguments arguments) : base(arguments.InstructionId) =>
        _bullets = arguments.RequiredInt("num_bullets");

    [GeneratedRegex("""^\s*\*[^*].*$""", RegexOptions.Multiline | RegexOptions.NonBacktracking)]
    private static partial Regex StarBullet();

    [GeneratedRegex("""^\s*-.*$""", RegexOptions.Multiline | RegexOptions.NonBacktracking)]
    private static partial Regex DashBullet();

    public override bool IsFollowedBy(string response) =>
        StarBullet().Count(response) + DashBullet().Count(response) == _bullets;
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

    [GeneratedRegex("""\*[^\n*]*\*""", RegexOptions.NonBacktracking)]
    private static partial Regex SingleStar();

    [GeneratedRegex("""\*\*[^\n*]*\*\*""", RegexOptions.NonBacktracking)]
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
/// detectable_format:title — some single-line <c>&lt;&lt;…&gt;&gt;</c> span (greedy within the line) is not blank
/// once its outer '&lt;' and '&gt;' characters are removed.
/// </summary>
internal sealed partial class TitleCheck(IfEvalArguments arguments) : IfEvalInstruction(arguments.InstructionId)
{
    public static readonly string[] Accepted = [];

    [GeneratedRegex("""<<[^\n]+>>""", RegexOptions.NonBacktracking)]
    private static partial Regex Title();

    public override bool IsFollowedBy(string response)
    {
        foreach (Match m in Title().Matches(response))
        {
            if (PythonText.Strip(m.Value.TrimStart('<').TrimEnd('>')).Length > 0) return true;
        }
        return false;
    }
}
