// What the evaluation of a model behind an HTTP server still reads from a local copy of its folder: the tokenizer (for
// the thinking/answer token split), the chat template's hash (part of a run's identity) and generation_config.json.
using Alloy.Inference.Backends;
using Alloy.Inference.Sampling;
using Alloy.Inference.Templates;
using Alloy.Inference.Tokenization;
using Alloy.Tensors;

namespace Alloy.Evaluation.Running;

/// <summary>The local facts about a served model.</summary>
/// <param name="CountTokens">Counts tokens with the folder's tokenizer.json (special tokens recognised), or null without one.</param>
/// <param name="TemplateHash">SHA-256 of the folder's chat template, or <see cref="ServedTemplate"/> when it has none.</param>
/// <param name="Defaults">The folder's generation_config.json sampling fields (none without a folder).</param>
public sealed record ServedModelFiles(Func<string, int>? CountTokens, string TemplateHash, GenerationDefaults Defaults)
{
    /// <summary>The template hash recorded when the template is the server's own and cannot be read here.</summary>
    public const string ServedTemplate = "served";

    /// <summary>Reads <paramref name="folder"/> (null: nothing local, the server's template and no token split).</summary>
    public static ServedModelFiles Read(string? folder)
    {
        if (folder is null)
            return new ServedModelFiles(null, ServedTemplate, GenerationDefaults.None);
        Func<string, int>? count = null;
        if (File.Exists(Path.Combine(folder, "tokenizer.json")))
        {
            var tokenizer = BpeTokenizer.Load(folder);
            count = text => tokenizer.Encode(text, allowSpecial: true).Length;
        }
        var hash = ServedTemplate;
        try
        {
            hash = HashTemplate(ChatTemplateLoader.Load(folder).Template.Source);
        }
        catch (AlloyInputException)
        {
            // No template in the folder: the server's own applies and cannot be hashed here.
        }
        return new ServedModelFiles(count, hash, GenerationDefaults.Load(folder));
    }

    /// <summary>The hash a run records for a chat template's source text; empty when there is no template (raw prompts).</summary>
    public static string HashTemplate(string? templateSource) => templateSource is null ? "" : RunSettings.Sha256Hex(templateSource);
}
