// Shared by every test project: a copy of a tiny committed model (tests/fixtures/inference) with the files a
// generator needs beside it: a byte-level tokenizer.json (id = byte value), a chat template, a generation config.
using System.Text.Json.Nodes;

namespace Alloy.Testing;

/// <summary>Builds a generation-ready model folder from a tiny inference fixture.</summary>
internal static class TinyChatModel
{
    /// <summary>The chat template written to tokenizer_config.json: "&lt;|role|&gt;content" per turn, then "&lt;|assistant|&gt;".</summary>
    public const string Template = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";

    /// <summary>
    /// Copies fixture <paramref name="fixture"/> into <paramref name="folder"/> and writes tokenizer.json (256 byte
    /// tokens, id = byte value, no merges), tokenizer_config.json with <see cref="Template"/>, and, when
    /// <paramref name="generationConfig"/> is given, generation_config.json with that content.
    /// </summary>
    public static string Create(string folder, string fixture = "qwen3-tied-f32", string? generationConfig = null)
    {
        var source = TestPaths.Fixtures("inference", fixture);
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { "config.json", "model.safetensors" })
            File.Copy(Path.Combine(source, file), Path.Combine(folder, file));
        var vocab = ByteVocabulary();
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["use_regex"] = true },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
            ["model"] = new JsonObject { ["type"] = "BPE", ["vocab"] = vocab, ["merges"] = new JsonArray() },
        };
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), tokenizer.ToJsonString());
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), new JsonObject { ["chat_template"] = Template }.ToJsonString());
        if (generationConfig is not null)
            File.WriteAllText(Path.Combine(folder, "generation_config.json"), generationConfig);
        return folder;
    }

    /// <summary>The 256 byte-level tokens of a BPE vocabulary, id = byte value (printable bytes stand for themselves, the rest map to U+0100 onwards).</summary>
    public static JsonObject ByteVocabulary()
    {
        var vocab = new JsonObject();
        var shifted = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= 33 and <= 126 or >= 161 and <= 172 or >= 174;
            vocab[((char)(printable ? b : shifted++)).ToString()] = b;
        }
        return vocab;
    }
}
