// One IFEval prompt (a line of ifeval.jsonl) with its instruction checks built and validated.
// Not file I/O: callers read the lines; this only parses one line's JSON text.
using System.Text.Json;
using Alloy.Tensors;

namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// An IFEval prompt: the record <see cref="Key"/>, the <see cref="Prompt"/> text sent to the model, and one check
/// per entry of <c>instruction_id_list</c> (in order, with <c>kwargs[i]</c> applied).
/// </summary>
public sealed record IfEvalPrompt(long Key, string Prompt, IReadOnlyList<IfEvalInstruction> Instructions)
{
    /// <summary>
    /// Parses one JSONL record <c>{"key", "prompt", "instruction_id_list", "kwargs"}</c>. Any missing field,
    /// length mismatch, unknown instruction id or unknown/ill-typed argument throws
    /// <see cref="AlloyInputException"/> naming <paramref name="where"/> (e.g. "ifeval.jsonl line 12") and the key.
    /// </summary>
    public static IfEvalPrompt Parse(string jsonLine, string where)
    {
        ArgumentNullException.ThrowIfNull(jsonLine);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(jsonLine);
        }
        catch (JsonException e)
        {
            throw new AlloyInputException($"{where}: not a valid JSON record: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new AlloyInputException($"{where}: an IFEval record must be a JSON object.");
            if (!root.TryGetProperty("key", out var keyElement) || !keyElement.TryGetInt64(out var key))
            {
                throw new AlloyInputException($"{where}: field 'key' must be an integer.");
            }
            var here = $"{where} (key {key})";
            if (!root.TryGetProperty("prompt", out var promptElement) || promptElement.ValueKind != JsonValueKind.String)
            {
                throw new AlloyInputException($"{here}: field 'prompt' must be a string.");
            }
            if (!root.TryGetProperty("instruction_id_list", out var ids) || ids.ValueKind != JsonValueKind.Array)
            {
                throw new AlloyInputException($"{here}: field 'instruction_id_list' must be a list of instruction ids.");
            }
            if (!root.TryGetProperty("kwargs", out var kwargs) || kwargs.ValueKind != JsonValueKind.Array || kwargs.GetArrayLength() != ids.GetArrayLength())
            {
                throw new AlloyInputException($"{here}: field 'kwargs' must be a list with one object per instruction id ({ids.GetArrayLength()}).");
            }
            var instructions = new List<IfEvalInstruction>();
            var index = 0;
            foreach (var id in ids.EnumerateArray())
            {
                if (id.ValueKind != JsonValueKind.String) throw new AlloyInputException($"{here}: instruction_id_list[{index}] must be a string.");
                instructions.Add(IfEvalRegistry.Create(id.GetString()!, kwargs[index], here));
                index++;
            }
            if (instructions.Count == 0) throw new AlloyInputException($"{here}: instruction_id_list is empty; every IFEval prompt has at least one instruction.");
            return new IfEvalPrompt(key, promptElement.GetString()!, instructions);
        }
    }
}
