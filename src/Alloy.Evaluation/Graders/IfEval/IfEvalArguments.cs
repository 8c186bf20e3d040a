// Typed access to one IFEval instruction's kwargs object, with the user-facing errors for bad records.
// Not a general JSON binder: it knows only the value shapes IFEval uses (integers, strings, string lists).
using System.Text.Json;
using Alloy.Tensors;

namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// The keyword arguments of one instruction, as read from a record's <c>kwargs[i]</c> object.
/// JSON <c>null</c> values mean "not used" and are dropped (upstream passes every key for every instruction and
/// fills unused ones with null). Every error names <see cref="Where"/> and the instruction id.
/// </summary>
public sealed class IfEvalArguments
{
    private readonly Dictionary<string, JsonElement> _values;

    /// <summary>Reads the non-null members of <paramref name="kwargs"/> (which must be a JSON object).</summary>
    /// <param name="instructionId">The instruction these arguments belong to, for messages.</param>
    /// <param name="kwargs">The JSON object; <c>null</c>/undefined is treated as empty.</param>
    /// <param name="where">Where the record came from, e.g. "ifeval.jsonl line 3 (key 1005)".</param>
    public IfEvalArguments(string instructionId, JsonElement kwargs, string where)
    {
        InstructionId = instructionId;
        Where = where;
        _values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (kwargs.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return;
        if (kwargs.ValueKind != JsonValueKind.Object)
        {
            throw new AlloyInputException($"{where}: kwargs of instruction '{instructionId}' must be a JSON object, found {kwargs.ValueKind}.");
        }
        foreach (var member in kwargs.EnumerateObject())
        {
            if (member.Value.ValueKind == JsonValueKind.Null) continue;
            _values[member.Name] = member.Value.Clone();
        }
    }

    /// <summary>The instruction id, e.g. "keywords:frequency".</summary>
    public string InstructionId { get; }

    /// <summary>Where the record came from, used as the prefix of every error message.</summary>
    public string Where { get; }

    /// <summary>Names of the non-null arguments present.</summary>
    public IReadOnlyCollection<string> Names => _values.Keys;

    /// <summary>Throws when an argument outside <paramref name="accepted"/> is present (unknown kwargs are an error).</summary>
    public void RejectUnknown(IReadOnlyCollection<string> accepted)
    {
        foreach (var name in _values.Keys)
        {
            if (accepted.Contains(name)) continue;
            var allowed = accepted.Count == 0 ? "it takes no arguments" : "it accepts: " + string.Join(", ", accepted);
            throw new AlloyInputException($"{Where}: instruction '{InstructionId}' has unknown argument '{name}'; {allowed}.");
        }
    }

    /// <summary>A required non-negative integer argument.</summary>
    public int RequiredInt(string name)
    {
        var value = Required(name);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < 0)
        {
            throw new AlloyInputException($"{Where}: argument '{name}' of instruction '{InstructionId}' must be a non-negative integer, found {value.GetRawText()}.");
        }
        return number;
    }

    /// <summary>A required string argument (returned as written, not trimmed).</summary>
    public string RequiredString(string name)
    {
        var value = Required(name);
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new AlloyInputException($"{Where}: argument '{name}' of instruction '{InstructionId}' must be a string, found {value.GetRawText()}.");
        }
        return value.GetString()!;
    }

    /// <summary>A required non-empty list of strings.</summary>
    public IReadOnlyList<string> RequiredStringList(string name)
    {
        var value = Required(name);
        var list = new List<string>();
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String) { list.Clear(); break; }
                list.Add(item.GetString()!);
            }
        }
        if (list.Count == 0)
        {
            throw new AlloyInputException($"{Where}: argument '{name}' of instruction '{InstructionId}' must be a non-empty list of strings, found {value.GetRawText()}.");
        }
        return list;
    }

    /// <summary>A required relation argument ("less than" or "at least").</summary>
    public IfEvalRelation RequiredRelation(string name) =>
        IfEvalRelations.Parse(RequiredString(name), $"{Where}: argument '{name}' of instruction '{InstructionId}'");

    private JsonElement Required(string name)
    {
        if (_values.TryGetValue(name, out var value)) return value;
        throw new AlloyInputException($"{Where}: instruction '{InstructionId}' needs argument '{name}', which is missing or null.");
    }
}
