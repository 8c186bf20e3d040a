// Loads config text into YamlDotNet's representation model with hostile-input limits: size, nesting depth,
// one document, no aliases, no duplicate or non-text keys. It knows nothing of the merge schema.
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Alloy.Merging.Config;

/// <summary>Reads YAML text into nodes that keep their line and column, refusing what a config never needs.</summary>
internal static partial class YamlLoader
{
    /// <summary>The largest config accepted, in UTF-8 bytes (1 MiB).</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>The deepest nesting of mappings and sequences accepted (a real config needs about 8).</summary>
    public const int MaxDepth = 32;

    /// <summary>
    /// Checks the text event by event (so nothing recursive runs on unchecked input), then loads it.
    /// Returns the root node of the single document, or null for an empty document.
    /// </summary>
    /// <exception cref="Alloy.Tensors.AlloyInputException">Too large, bad YAML, an alias, a duplicate key, more than one document, or nesting too deep.</exception>
    public static YamlNode? Load(string text, string file)
    {
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > MaxBytes)
            throw ConfigErrors.At(new SourcePosition(file, 1, 1), $"the config is {bytes} bytes",
                $"expected at most {MaxBytes} bytes (a merge config is a few KB)");
        try
        {
            CheckEvents(text, file);
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            throw ConfigErrors.At(Position(file, e.Start), "YAML syntax error: " + StripMarks(e.Message),
                "expected valid YAML (check indentation, colons and quotes)");
        }
    }

    /// <summary>The position of a node's first character.</summary>
    public static SourcePosition Position(string file, Mark mark) =>
        new(file, Math.Max(1, (int)Math.Min(mark.Line, int.MaxValue)), Math.Max(1, (int)Math.Min(mark.Column, int.MaxValue)));

    private sealed class Frame(bool isMapping)
    {
        public bool IsMapping { get; } = isMapping;
        public bool ExpectingKey { get; set; } = true;
        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, Mark> KeyMarks { get; } = new(StringComparer.Ordinal);
        public Mark LastKeyMark { get; set; }
    }

    private static void CheckEvents(string text, string file)
    {
        var parser = new Parser(new StringReader(text));
        var stack = new Stack<Frame>();
        var documents = 0;
        var lastGood = new SourcePosition(file, 1, 1);
        while (MoveNext(parser, lastGood))
        {
            var current = parser.Current!;
            lastGood = Position(file, current.End);
            switch (current)
            {
                case DocumentStart:
                    documents++;
                    if (documents > 1)
                        throw ConfigErrors.At(Position(file, current.Start), "a second YAML document starts here",
                            "expected one merge config per file (multi-stage merges are not supported yet)");
                    break;
                case AnchorAlias alias:
                    throw ConfigErrors.At(Position(file, current.Start), $"YAML alias '*{alias.Value}' is not allowed",
                        "expected the value written out in full (anchors and aliases are refused so a small file cannot expand into a huge one)");
                case Scalar scalar:
                    BeforeNode(stack, file, current, scalar.Value);
                    break;
                case MappingStart:
                case SequenceStart:
                    BeforeNode(stack, file, current, null);
                    if (stack.Count >= MaxDepth)
                        throw ConfigErrors.At(Position(file, current.Start), $"nesting is deeper than {MaxDepth} levels",
                            "expected a merge config (a few levels of mappings and lists)");
                    stack.Push(new Frame(current is MappingStart));
                    break;
                case MappingEnd:
                    // YamlDotNet's parser can end a mapping right after a key (e.g. for "  : 1"), which its own
                    // loader then rejects with an ArgumentException; report it here with a position instead.
                    var ended = stack.Pop();
                    if (!ended.ExpectingKey)
                        throw ConfigErrors.At(Position(file, ended.LastKeyMark), "YAML syntax error: a mapping key has no value",
                            "expected 'key: value' (check for a missing key before ':')");
                    break;
                case SequenceEnd:
                    stack.Pop();
                    break;
            }
        }
    }

    // YamlDotNet's scanner throws InvalidOperationException (not YamlException) on some malformed flow
    // collections near the end of the text; found by the mutation fuzz test. Report it as a syntax error
    // at the end of the last event that was read.
    private static bool MoveNext(Parser parser, SourcePosition lastGood)
    {
        try
        {
            return parser.MoveNext();
        }
        catch (InvalidOperationException)
        {
            throw ConfigErrors.At(lastGood, "YAML syntax error: the text cannot be read past this point",
                "expected valid YAML (check that every [ and { is closed and that flow collections do not span lines)");
        }
    }

    // Called for every node: when the node is a mapping key, checks it is text and not a duplicate.
    private static void BeforeNode(Stack<Frame> stack, string file, ParsingEvent node, string? scalarValue)
    {
        if (stack.Count == 0 || !stack.Peek().IsMapping) return;
        var frame = stack.Peek();
        if (frame.ExpectingKey)
        {
            if (scalarValue is null)
                throw ConfigErrors.At(Position(file, node.Start), "a mapping key is a list or mapping",
                    "expected a plain text key such as 'merge_method'");
            if (!frame.Keys.Add(scalarValue))
            {
                var first = Position(file, frame.KeyMarks[scalarValue]);
                throw ConfigErrors.At(Position(file, node.Start),
                    $"duplicate key {ConfigErrors.Quote(scalarValue)} (first at line {first.Line}, column {first.Column})",
                    "expected each key once per mapping");
            }
            frame.KeyMarks[scalarValue] = node.Start;
            frame.LastKeyMark = node.Start;
        }
        frame.ExpectingKey = !frame.ExpectingKey;
    }

    private static string StripMarks(string message) => MarksPrefix().Replace(message, "");

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex MarksPrefix();
}
