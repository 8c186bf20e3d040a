// Opt-in check of templates that cannot be committed (real model templates kept outside the repository):
// ALLOY_EXTRA_TEMPLATE_GOLDENS names a file written by render_goldens.py --template NAME=PATH[:FIELD] --out FILE.
using System.Text.Json;
using Alloy.Inference.Templates;

namespace Alloy.Inference.Tests.Templates;

public sealed class ExtraTemplateGoldenTests
{
    [Fact]
    public void Extra_templates_render_like_jinja2_when_a_goldens_file_is_given()
    {
        string? path = Environment.GetEnvironmentVariable("ALLOY_EXTRA_TEMPLATE_GOLDENS");
        if (string.IsNullOrEmpty(path))
        {
            Console.WriteLine("skipped: set ALLOY_EXTRA_TEMPLATE_GOLDENS to a file from render_goldens.py --template ... --out FILE");
            return;
        }
        using JsonDocument goldens = JsonDocument.Parse(File.ReadAllText(path));
        var templates = new Dictionary<string, ChatTemplate>();
        foreach (JsonProperty source in goldens.RootElement.GetProperty("sources").EnumerateObject())
        {
            string spec = source.Value.GetString()!;
            int colon = spec.LastIndexOf(':');
            string text = colon > 1 && !File.Exists(spec)
                ? JsonDocument.Parse(File.ReadAllText(spec[..colon])).RootElement.GetProperty(spec[(colon + 1)..]).GetString()!
                : File.ReadAllText(spec);
            templates[source.Name] = ChatTemplate.Parse(text, spec);
        }
        var failures = new List<string>();
        int checkedCount = 0;
        foreach (JsonElement golden in goldens.RootElement.GetProperty("results").EnumerateArray())
        {
            string templateName = golden.GetProperty("template").GetString()!;
            string caseName = golden.GetProperty("case").GetString()!;
            ChatTemplateContext context = TemplateFixtures.Context(TemplateFixtures.Cases()[caseName]);
            string? actual;
            try
            {
                actual = templates[templateName].Render(context);
            }
            catch (ChatTemplateException)
            {
                actual = null;
            }
            string? expected = golden.TryGetProperty("output", out JsonElement output) ? output.GetString() : null;
            if (actual != expected)
            {
                failures.Add($"{templateName} × {caseName}");
            }
            checkedCount++;
        }
        Assert.True(checkedCount > 0, "the goldens file has no results");
        Assert.Empty(failures);
    }
}
