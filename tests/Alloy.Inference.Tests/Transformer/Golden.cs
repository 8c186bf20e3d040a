// Reads a model fixture's golden.json and logits.f32 (made by tools/fixtures/inference/make_models.py).
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Alloy.Inference.Tests.Transformer;

internal sealed record GoldenCase(int[] Prompt, int Rows, float[] Fp32Logits, float[] Bf16Logits);

internal sealed record Golden(string Folder, IReadOnlyList<GoldenCase> Cases, int[] GreedyPrompt, int[] GreedyTokens)
{
    public static readonly string[] Models =
        ["qwen3-untied-bf16", "qwen3-tied-f32", "qwen2-untied-bf16", "llama3-tied-bf16", "mistral-window-bf16"];

    public static TheoryData<string> ModelNames() => new(Models);

    public static Golden Load(string model)
    {
        var folder = TestPaths.Fixtures("inference", model);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "golden.json")));
        var root = json.RootElement;
        var all = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(folder, root.GetProperty("logits_file").GetString()!))).ToArray();
        var vocab = 160;
        var cases = new List<GoldenCase>();
        foreach (var c in root.GetProperty("cases").EnumerateArray())
        {
            var rows = c.GetProperty("rows").GetInt32();
            cases.Add(new GoldenCase(
                [.. c.GetProperty("prompt").EnumerateArray().Select(e => e.GetInt32())],
                rows,
                all.AsSpan(c.GetProperty("fp32_offset").GetInt32(), rows * vocab).ToArray(),
                all.AsSpan(c.GetProperty("bf16_offset").GetInt32(), rows * vocab).ToArray()));
        }
        var greedy = root.GetProperty("greedy");
        return new Golden(folder, cases,
            [.. greedy.GetProperty("prompt").EnumerateArray().Select(e => e.GetInt32())],
            [.. greedy.GetProperty("tokens").EnumerateArray().Select(e => e.GetInt32())]);
    }
}
