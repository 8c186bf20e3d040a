// Decides what a config's tokenizer policy (tokenizer_source / tokenizer:) means for the output when it can be honoured
// without embedding surgery: every input model has the same vocabulary, so union, base and any one model's tokenizer
// are the same ids. Different vocabularies would need embedding rows permuted into a new vocabulary: refused.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Alloy.Merging.Config;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;

namespace Alloy.Merging.Plan;

internal static class TokenizerPolicyCheck
{
    /// <summary>
    /// For <c>union</c> or a named model: checks that every model's tokenizer.json has the same vocabulary (model.vocab
    /// and added_tokens) and returns the folder whose tokenizer files the output takes (the named model's; null = the
    /// donor's for union and base). Base keeps today's behaviour (the donor's files).
    /// </summary>
    /// <exception cref="AlloyInputException">Token overrides or padding (they need embedding surgery), a model without
    /// tokenizer.json, a named model that is not an input, or vocabularies that differ — each naming the position.</exception>
    public static string? Resolve(MergeConfig config, IReadOnlyList<Checkpoint> models, IReadOnlyList<ModelReference> references)
    {
        if (config.Tokenizer is not { } policy || policy.Source.Kind == TokenizerSourceKind.Base)
            return null;
        if (!policy.Tokens.IsEmpty)
            throw new AlloyInputException($"{policy.Tokens[0].Position}: tokenizer.tokens overrides need embedding rows built per token, which alloy merge does not do yet; remove tokens:");
        if (policy.PadToMultipleOf is int pad)
            throw new AlloyInputException($"{policy.Position}: tokenizer.pad_to_multiple_of ({pad}) needs padded embedding rows, which alloy merge does not do yet; remove it");
        var prints = models.Select(m => (Model: m, Print: Fingerprint(m, policy))).ToList();
        var first = prints[0];
        foreach (var other in prints.Skip(1))
            if (other.Print.Hash != first.Print.Hash)
                throw new AlloyInputException(
                    $"{policy.Position}: tokenizer source '{Describe(policy.Source)}' needs the embedding rows permuted into one vocabulary, which alloy merge does not do yet: "
                    + $"{first.Model.Path} has {first.Print.Tokens} tokens and {other.Model.Path} {other.Print.Tokens} with other ids; remove it to keep the donor's tokenizer");
        if (policy.Source.Kind != TokenizerSourceKind.Model)
            return null;
        var index = references.ToList().IndexOf(policy.Source.Model!);
        return index >= 0 ? models[index].Folder
            : throw new AlloyInputException($"{policy.Position}: tokenizer source model '{policy.Source.Model}' is not one of the config's models; expected one of {string.Join(", ", references)}");
    }

    private static string Describe(TokenizerSource source) => source.Kind switch
    {
        TokenizerSourceKind.Union => "union",
        TokenizerSourceKind.Model => source.Model!.ToString()!,
        _ => "base",
    };

    // SHA-256 over tokenizer.json's model.vocab and added_tokens (raw JSON), and the number of entries.
    private static (string Hash, int Tokens) Fingerprint(Checkpoint model, TokenizerPolicy policy)
    {
        var path = Path.Combine(model.Folder, "tokenizer.json");
        if (!File.Exists(path))
            throw new AlloyInputException($"{policy.Position}: {model.Path} has no tokenizer.json, so its vocabulary cannot be checked against the others; add it or remove the tokenizer policy");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 64 });
            var root = document.RootElement;
            var vocab = root.TryGetProperty("model", out var m) && m.TryGetProperty("vocab", out var v) ? v : default;
            var added = root.TryGetProperty("added_tokens", out var a) ? a : default;
            var text = (vocab.ValueKind == JsonValueKind.Undefined ? "" : vocab.GetRawText()) + "\n" + (added.ValueKind == JsonValueKind.Undefined ? "" : added.GetRawText());
            var count = (vocab.ValueKind == JsonValueKind.Object ? vocab.EnumerateObject().Count() : 0) + (added.ValueKind == JsonValueKind.Array ? added.GetArrayLength() : 0);
            return (Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), count);
        }
        catch (JsonException e)
        {
            throw new AlloyInputException($"{path}: not valid JSON ({e.Message})");
        }
    }
}
