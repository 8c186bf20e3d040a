// Compares ChatTemplate.Render with goldens rendered by jinja2 the way transformers renders (render_goldens.py).
// Byte-identical output is required; cases where jinja2 fails must fail here too.
using System.Text.Json;
using Alloy.Inference.Templates;

namespace Alloy.Inference.Tests.Templates;

public sealed class ChatTemplateGoldenTests
{
    public static TheoryData<string, string> Goldens()
    {
        var data = new TheoryData<string, string>();
        using JsonDocument goldens = JsonDocument.Parse(File.ReadAllText(Path.Combine(TemplateFixtures.FixtureFolder, "goldens.json")));
        foreach (JsonElement result in goldens.RootElement.GetProperty("results").EnumerateArray())
        {
            data.Add(result.GetProperty("template").GetString()!, result.GetProperty("case").GetString()!);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Goldens))]
    public void Render_matches_the_jinja2_golden(string templateName, string caseName)
    {
        using JsonDocument goldens = JsonDocument.Parse(File.ReadAllText(Path.Combine(TemplateFixtures.FixtureFolder, "goldens.json")));
        JsonElement golden = goldens.RootElement.GetProperty("results").EnumerateArray()
            .Single(r => r.GetProperty("template").GetString() == templateName && r.GetProperty("case").GetString() == caseName);
        (string Source, string Name)? source = TemplateFixtures.TemplateSource(templateName);
        if (source is null)
        {
            Console.WriteLine($"skipped: {TemplateFixtures.SharedQwen3Config} is absent");
            return;
        }
        ChatTemplate template = ChatTemplate.Parse(source.Value.Source, source.Value.Name);
        ChatTemplateContext context = TemplateFixtures.Context(TemplateFixtures.Cases()[caseName]);

        if (golden.TryGetProperty("error", out JsonElement error))
        {
            ChatTemplateException thrown = Assert.Throws<ChatTemplateException>(() => template.Render(context));
            Assert.Equal(source.Value.Name, thrown.TemplateName);
            if (golden.GetProperty("raised_by_template").GetBoolean())
            {
                Assert.Equal(error.GetString(), thrown.Detail);
            }
            return;
        }
        Assert.Equal(golden.GetProperty("output").GetString(), template.Render(context));
    }

    [Fact]
    public void Goldens_cover_every_template_and_case()
    {
        using JsonDocument goldens = JsonDocument.Parse(File.ReadAllText(Path.Combine(TemplateFixtures.FixtureFolder, "goldens.json")));
        var pairs = goldens.RootElement.GetProperty("results").EnumerateArray()
            .Select(r => (r.GetProperty("template").GetString(), r.GetProperty("case").GetString())).ToHashSet();
        string[] templates = Directory.GetFiles(Path.Combine(TemplateFixtures.FixtureFolder, "templates"), "*.jinja")
            .Select(Path.GetFileNameWithoutExtension).Append("shared-qwen3").ToArray()!;
        foreach (string template in templates)
        {
            foreach (string testCase in TemplateFixtures.Cases().Keys)
            {
                Assert.Contains((template, testCase), pairs);
            }
        }
    }
}
