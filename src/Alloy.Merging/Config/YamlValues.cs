// Typed reads of YamlDotNet nodes for the config reader: mappings with known keys, plain scalars as
// null/bool/number/text (PyYAML's YAML 1.1 forms), integers, with positions in every error.
using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Alloy.Merging.Config;

/// <summary>What a plain or quoted scalar means.</summary>
internal enum ScalarKind
{
    Null,
    Boolean,
    Number,
    Text,
}

/// <summary>Node reading helpers bound to one file name.</summary>
internal sealed partial class YamlValues(string file)
{
    public string File { get; } = file;

    public SourcePosition Pos(YamlNode node) => YamlLoader.Position(File, node.Start);

    /// <summary>
    /// The keys of a mapping, in file order, each checked against <paramref name="known"/> (an unknown key is
    /// an error with a "did you mean" suggestion). Keys are text: the loader refused any other kind.
    /// </summary>
    public List<(string Key, YamlScalarNode KeyNode, YamlNode Value)> Entries(YamlMappingNode map, IReadOnlyList<string> known, string where)
    {
        var result = new List<(string, YamlScalarNode, YamlNode)>();
        foreach (var (keyNode, value) in map.Children)
        {
            var key = (YamlScalarNode)keyNode;
            var name = key.Value ?? "";
            if (!known.Contains(name))
                throw ConfigErrors.At(Pos(key), $"unknown key {ConfigErrors.Quote(name)} in {where}", ConfigErrors.ExpectedOneOf(name, known));
            result.Add((name, key, value));
        }
        return result;
    }

    public YamlMappingNode Mapping(YamlNode node, string what, string expected) =>
        node as YamlMappingNode ?? throw ConfigErrors.At(Pos(node), $"{what} is {Describe(node)}", expected);

    public YamlSequenceNode Sequence(YamlNode node, string what, string expected) =>
        node as YamlSequenceNode ?? throw ConfigErrors.At(Pos(node), $"{what} is {Describe(node)}", expected);

    /// <summary>True when the node is a null scalar (<c>~</c>, <c>null</c> or nothing).</summary>
    public static bool IsNull(YamlNode node) => node is YamlScalarNode s && Classify(s) == ScalarKind.Null;

    /// <summary>A text value: any non-null scalar, taken as written.</summary>
    public string Text(YamlNode node, string what, string expected)
    {
        if (node is not YamlScalarNode scalar || Classify(scalar) == ScalarKind.Null)
            throw ConfigErrors.At(Pos(node), $"{what} is {Describe(node)}", expected);
        return scalar.Value ?? "";
    }

    /// <summary>A plain integer (no quotes, no fraction) in [min, max].</summary>
    public long Integer(YamlNode node, string what, long min, long max, string expected)
    {
        if (node is YamlScalarNode scalar && scalar.Style is ScalarStyle.Plain or ScalarStyle.Any &&
            IntegerPattern().IsMatch(scalar.Value ?? "") &&
            long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            if (value < min || value > max)
                throw ConfigErrors.At(Pos(node), $"{what} is {value}", expected);
            return value;
        }
        throw ConfigErrors.At(Pos(node), $"{what} is {Describe(node)}", expected);
    }

    /// <summary>Classifies a scalar as PyYAML (YAML 1.1) would: quoted scalars are always text.</summary>
    public static ScalarKind Classify(YamlScalarNode scalar)
    {
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any)) return ScalarKind.Text;
        var value = scalar.Value ?? "";
        if (value is "" or "~" or "null" or "Null" or "NULL") return ScalarKind.Null;
        if (TryBoolean(value, out _)) return ScalarKind.Boolean;
        if (NumberPattern().IsMatch(value) || SpecialFloatPattern().IsMatch(value)) return ScalarKind.Number;
        return ScalarKind.Text;
    }

    /// <summary>YAML 1.1 booleans as PyYAML reads them (true/false, yes/no, on/off in three casings).</summary>
    public static bool TryBoolean(string value, out bool result)
    {
        switch (value)
        {
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON":
                result = true;
                return true;
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF":
                result = false;
                return true;
            default:
                result = false;
                return false;
        }
    }

    /// <summary>Parses a plain number scalar; NaN and infinities are an error (no merge parameter is meant to be one).</summary>
    public double FiniteNumber(YamlScalarNode scalar, string what)
    {
        var text = scalar.Value ?? "";
        if (SpecialFloatPattern().IsMatch(text) ||
            !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw ConfigErrors.At(Pos(scalar), $"{what} is {ConfigErrors.Quote(text)}, which is not a finite number",
                "expected a finite number such as 0.5");
        return value;
    }

    /// <summary>A short description of a node for "X is ..." messages.</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s => Classify(s) switch
        {
            ScalarKind.Null => "empty (null)",
            ScalarKind.Boolean => $"the boolean {s.Value}",
            ScalarKind.Number => $"the number {s.Value}",
            _ => s.Style is ScalarStyle.Plain or ScalarStyle.Any
                ? $"the text {ConfigErrors.Quote(s.Value ?? "")}"
                : $"the quoted text {ConfigErrors.Quote(s.Value ?? "")}",
        },
        _ => "an unsupported YAML node",
    };

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?([0-9][0-9]*(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$")]
    private static partial Regex SpecialFloatPattern();
}
