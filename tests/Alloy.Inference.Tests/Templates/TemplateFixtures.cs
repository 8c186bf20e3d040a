// Locates the committed template fixtures and the shared Qwen3 tokenizer config from the test assembly's folder.
// Test infrastructure only: no assertions here.
using System.Text.Json;
using Alloy.Inference.Templates;

namespace Alloy.Inference.Tests.Templates;

/// <summary>Paths and loaders for tests/fixtures/templates and ../shared.</summary>
internal static class TemplateFixtures
{
    /// <summary>The date render_goldens.py gives strftime_now.</summary>
    public static readonly DateTime FixedNow = new(2026, 3, 5, 14, 7, 9, DateTimeKind.Unspecified);

    private static readonly Lazy<string> RepositoryRootPath = new(() =>
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "tests", "fixtures", "templates", "cases.json")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("tests/fixtures/templates/cases.json not found above " + AppContext.BaseDirectory);
    });

    /// <summary>tests/fixtures/templates.</summary>
    public static string FixtureFolder => Path.Combine(RepositoryRootPath.Value, "tests", "fixtures", "templates");

    /// <summary>../shared/tokenizers/qwen3/tokenizer_config.json beside the repository.</summary>
    public static string SharedQwen3Config => Path.Combine(RepositoryRootPath.Value, "..", "shared", "tokenizers", "qwen3", "tokenizer_config.json");

    /// <summary>The template source for a golden's template name, or null when it lives in shared/ and is absent.</summary>
    public static (string Source, string Name)? TemplateSource(string templateName)
    {
        if (templateName == "shared-qwen3")
        {
            if (!File.Exists(SharedQwen3Config))
            {
                return null;
            }
            using JsonDocument config = JsonDocument.Parse(File.ReadAllText(SharedQwen3Config));
            return (config.RootElement.GetProperty("chat_template").GetString()!, SharedQwen3Config);
        }
        string path = Path.Combine(FixtureFolder, "templates", templateName + ".jinja");
        return (File.ReadAllText(path), path);
    }

    /// <summary>The render context for a case object of cases.json, as render_goldens.py passes it to jinja2.</summary>
    public static ChatTemplateContext Context(JsonElement testCase)
    {
        string? bos = null;
        string? eos = null;
        if (testCase.TryGetProperty("special_tokens", out JsonElement tokens))
        {
            bos = tokens.TryGetProperty("bos_token", out JsonElement b) ? b.GetString() : null;
            eos = tokens.TryGetProperty("eos_token", out JsonElement e) ? e.GetString() : null;
        }
        Dictionary<string, JsonElement>? extra = null;
        if (testCase.TryGetProperty("extra", out JsonElement extraObject))
        {
            extra = extraObject.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        }
        return new ChatTemplateContext
        {
            Messages = testCase.GetProperty("messages").Clone(),
            Tools = testCase.TryGetProperty("tools", out JsonElement tools) ? tools.Clone() : null,
            AddGenerationPrompt = testCase.GetProperty("add_generation_prompt").GetBoolean(),
            EnableThinking = testCase.TryGetProperty("enable_thinking", out JsonElement thinking) ? thinking.GetBoolean() : null,
            BosToken = bos,
            EosToken = eos,
            ExtraVariables = extra,
            Now = FixedNow,
        };
    }

    private static readonly Lazy<Dictionary<string, JsonElement>> CasesByName = new(() =>
    {
        using JsonDocument cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureFolder, "cases.json")));
        return cases.RootElement.EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.Clone());
    });

    private static readonly Lazy<JsonElement[]> GoldenResults = new(() =>
    {
        using JsonDocument goldens = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureFolder, "goldens.json")));
        return goldens.RootElement.GetProperty("results").EnumerateArray().Select(r => r.Clone()).ToArray();
    });

    /// <summary>cases.json by case name.</summary>
    public static Dictionary<string, JsonElement> Cases() => CasesByName.Value;

    /// <summary>The results array of goldens.json.</summary>
    public static IReadOnlyList<JsonElement> Goldens() => GoldenResults.Value;

    /// <summary>The golden for one template and case.</summary>
    public static JsonElement Golden(string templateName, string caseName) =>
        GoldenResults.Value.Single(r => r.GetProperty("template").GetString() == templateName && r.GetProperty("case").GetString() == caseName);
}
