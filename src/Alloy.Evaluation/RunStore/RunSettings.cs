// What identifies a run for resumption: model, benchmark, generation settings and chat-template hash, with the hash
// that keys its samples. It does not include the sample count, so a finished run can be extended to more samples.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Alloy.Inference.Backends;

namespace Alloy.Evaluation;

/// <summary>
/// The settings a run's samples depend on. Resuming a run with different settings would mix incomparable samples,
/// so <see cref="RunStore.Open"/> refuses it. The number of samples per problem is deliberately not part of it.
/// </summary>
/// <param name="Model">The model as named by the user (path or hub id), recorded and compared verbatim.</param>
/// <param name="Benchmark">The benchmark name or file, recorded and compared verbatim.</param>
/// <param name="Generation">The sampling settings (compared through their canonical JSON).</param>
/// <param name="TemplateHash">Hash of the chat template in use (empty when there is none, e.g. raw prompts).</param>
public sealed record RunSettings(string Model, string Benchmark, GenerationSettings Generation, string TemplateHash)
{
    /// <summary>
    /// The settings as one canonical JSON object: <c>{"model", "benchmark", "generation": {…canonical…}, "template_hash"}</c>.
    /// </summary>
    public string ToCanonicalJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("model", Model);
            writer.WriteString("benchmark", Benchmark);
            writer.WritePropertyName("generation");
            writer.WriteRawValue(Generation.ToCanonicalJson());
            writer.WriteString("template_hash", TemplateHash);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>SHA-256 (lower-case hex) of <see cref="ToCanonicalJson"/>: equal settings, equal hash.</summary>
    public string Hash() => Sha256Hex(ToCanonicalJson());

    /// <summary>SHA-256 of the UTF-8 bytes of <paramref name="text"/>, as 64 lower-case hex digits (used for prompt hashes too).</summary>
    public static string Sha256Hex(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
