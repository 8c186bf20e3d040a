// Locates the committed tokenizer fixtures and the shared real Qwen3 tokenizer for tests; loads each once.
// Tests that need the shared files skip (with the reason) where they are absent.
using System.Text.Json;
using Alloy.Inference.Tokenization;

namespace Alloy.Inference.Tests.Tokenization;

internal static class TokenizerTestFiles
{
    private static readonly Lazy<BpeTokenizer> Qwen3Lazy = new(() => BpeTokenizer.Load(Qwen3Folder!));

    /// <summary>The repository root: the first ancestor of the test assembly folder holding tests/fixtures/tokenizer.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string FixtureFolder => Path.Combine(RepositoryRoot, "tests", "fixtures", "tokenizer");

    /// <summary>&lt;repo&gt;/../shared/tokenizers/qwen3 when its tokenizer.json exists, else null.</summary>
    public static string? Qwen3Folder
    {
        get
        {
            string folder = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "tokenizers", "qwen3"));
            return File.Exists(Path.Combine(folder, "tokenizer.json")) ? folder : null;
        }
    }

    public static BpeTokenizer Qwen3 => Qwen3Lazy.Value;

    /// <summary>Golden cases: name, text, NFC text, ids, and (for texts without added tokens) pre-tokenizer pieces.</summary>
    public static IReadOnlyList<GoldenCase> GoldenCases { get; } = LoadGoldenCases();

    public static IEnumerable<object[]> GoldenCaseNames() => GoldenCases.Select(c => new object[] { c.Name });

    public static GoldenCase Case(string name) => GoldenCases.Single(c => c.Name == name);

    private static string FindRepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "tests", "fixtures", "tokenizer", "corpus.json")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No ancestor of {AppContext.BaseDirectory} holds tests/fixtures/tokenizer/corpus.json.");
    }

    private static List<GoldenCase> LoadGoldenCases()
    {
        using JsonDocument corpus = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureFolder, "corpus.json")));
        using JsonDocument golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureFolder, "qwen3-golden-ids.json")));
        var texts = corpus.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e.GetProperty("text").GetString()!);
        var cases = new List<GoldenCase>();
        foreach (JsonElement c in golden.RootElement.GetProperty("cases").EnumerateArray())
        {
            string name = c.GetProperty("name").GetString()!;
            int[] ids = c.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()).ToArray();
            string[]? pieces = c.TryGetProperty("pieces", out JsonElement p) ? p.EnumerateArray().Select(x => x.GetString()!).ToArray() : null;
            string nfc = c.TryGetProperty("nfc", out JsonElement n) ? n.GetString()! : texts[name];
            cases.Add(new GoldenCase(name, texts[name], nfc, ids, pieces));
        }
        return cases;
    }
}

/// <summary>A golden case; <see cref="Nfc"/> is the text's NFC form as the JavaScript engine computed it.</summary>
internal sealed record GoldenCase(string Name, string Text, string Nfc, int[] Ids, string[]? Pieces);

/// <summary>A fact that is skipped, with the reason, when the shared Qwen3 tokenizer files are absent.</summary>
internal sealed class Qwen3FactAttribute : FactAttribute
{
    public Qwen3FactAttribute()
    {
        if (TokenizerTestFiles.Qwen3Folder is null)
        {
            Skip = "../shared/tokenizers/qwen3/tokenizer.json is absent beside the repository; the real-tokenizer tests need it.";
        }
    }
}

/// <summary>A theory that is skipped, with the reason, when the shared Qwen3 tokenizer files are absent.</summary>
internal sealed class Qwen3TheoryAttribute : TheoryAttribute
{
    public Qwen3TheoryAttribute()
    {
        if (TokenizerTestFiles.Qwen3Folder is null)
        {
            Skip = "../shared/tokenizers/qwen3/tokenizer.json is absent beside the repository; the real-tokenizer tests need it.";
        }
    }
}
