// IFEval "detectable_content:*" checks: number_placeholders and postscript.
// Not a template engine: placeholders are simply bracketed spans on one line.
using System.Text.RegularExpressions;
using Alloy.Tensors;

namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// detectable_content:number_placeholders — at least <c>num_placeholders</c> non-overlapping <c>\[.*?\]</c> spans
/// (shortest match, within one line; "[]" counts), counted by a linear scan equivalent to Python's findall.
/// </summary>
internal sealed class PlaceholderCheck : IfEvalInstruction
{
    public static readonly string[] Accepted = ["num_placeholders"];
    private readonly int _placeholders;

    public PlaceholderCheck(IfEvalArguments arguments) : base(arguments.InstructionId) =>
        _placeholders = arguments.RequiredInt("num_placeholders");

    public override bool IsFollowedBy(string response) => CountPlaceholders(response) >= _placeholders;

    internal static int CountPlaceholders(string text)
    {
        var count = 0;
        var i = 0;
        while ((i = text.IndexOf('[', i)) >= 0)
        {
            var close = text.IndexOfAny(['\n', ']'], i + 1);
            if (close < 0) break;
            if (text[close] == ']')
            {
                count++;
                i = close + 1;
            }
            else
            {
                // No ']' before the line ends: no '[' on the rest of this line can match either.
                i = close + 1;
            }
        }
        return count;
    }
}

/// <summary>
/// detectable_content:postscript — the lower-cased response contains the marker anywhere (not only at a line
/// start): "P.S." matches <c>p\.\s?s\.</c>, "P.P.S" matches <c>p\.\s?p\.\s?s</c>, any other marker is used as a
/// lower-cased regular expression, as upstream does.
/// </summary>
internal sealed class PostscriptCheck : IfEvalInstruction
{
    public static readonly string[] Accepted = ["postscript_marker"];
    private readonly Regex _pattern;

    public PostscriptCheck(IfEvalArguments arguments) : base(arguments.InstructionId)
    {
        var marker = PythonText.Strip(arguments.RequiredString("postscript_marker"));
        // Upstream prefixes each pattern with \s*; for a yes/no search that prefix never changes the answer (a match
        // starting with white space implies one starting after it), and dropping it avoids quadratic time on long
        // white-space runs.
        var pattern = marker switch
        {
            "P.P.S" => @"p\.\s?p\.\s?s.*$",
            "P.S." => @"p\.\s?s\..*$",
            _ => PythonText.Lower(marker) + ".*$",
        };
        try
        {
            _pattern = new Regex(pattern, RegexOptions.Multiline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(10));
        }
        catch (ArgumentException e)
        {
            throw new AlloyInputException($"{arguments.Where}: postscript_marker '{marker}' of instruction '{arguments.InstructionId}' is not a valid pattern: {e.Message}", e);
        }
    }

    public override bool IsFollowedBy(string response) => _pattern.IsMatch(PythonText.Lower(response));
}
