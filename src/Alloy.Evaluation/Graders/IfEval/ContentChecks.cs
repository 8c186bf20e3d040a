// IFEval "detectable_content:*" checks: number_placeholders and postscript.
// Not a template engine: placeholders are simply bracketed spans on one line.
using System.Text.RegularExpressions;
using Alloy.Tensors;

namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// detectable_content:number_placeholders — at least <c>num_placeholders</c> non-overlapping <c>[...]</c> spans
/// (shortest match, within one line; "[]" counts).
/// </summary>
internal sealed partial class PlaceholderCheck : IfEvalInstruction
{
    public static readonly string[] Accepted = ["num_placeholders"];
    private readonly int _placeholders;

    public PlaceholderCheck(IfEvalArguments arguments) : base(arguments.InstructionId) =>
        _placeholders = arguments.RequiredInt("num_placeholders");

    [GeneratedRegex("""\[.*?\]""", RegexOptions.NonBacktracking)]
    private static partial Regex Placeholder();

    public override bool IsFollowedBy(string response) => Placeholder().Count(response) >= _placeholders;
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
        var pattern = marker switch
        {
            "P.P.S" => @"\s*p\.\s?p\.\s?s.*$",
            "P.S." => @"\s*p\.\s?s\..*$",
            _ => @"\s*" + PythonText.Lower(marker) + ".*$",
        };
        try
        {
            // Linear-time matching where the pattern allows it (long white-space runs make the leading \s* quadratic).
            _pattern = new Regex(pattern, RegexOptions.Multiline | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException)
        {
            _pattern = CreateBacktracking(pattern, marker, arguments);
        }
        catch (ArgumentException)
        {
            _pattern = CreateBacktracking(pattern, marker, arguments);
        }
    }

    public override bool IsFollowedBy(string response) => _pattern.IsMatch(PythonText.Lower(response));

    private static Regex CreateBacktracking(string pattern, string marker, IfEvalArguments arguments)
    {
        try
        {
            return new Regex(pattern, RegexOptions.Multiline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(10));
        }
        catch (ArgumentException e)
        {
            throw new AlloyInputException($"{arguments.Where}: postscript_marker '{marker}' of instruction '{arguments.InstructionId}' is not a valid pattern: {e.Message}", e);
        }
    }
}
