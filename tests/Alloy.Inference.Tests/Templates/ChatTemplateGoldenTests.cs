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
        foreach (JsonElement result in TemplateFixtures.Goldens())
        {
            data.Add(result.GetProperty("template").GetString()!, result.GetProperty("case").GetString()!);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Goldens))]
    public void Render_matches_the_jinja2_golden(string templateName, string caseName)
    {
        JsonElement golden = TemplateFixtures.Golden(templateName, caseName);
        (string Source, string Name)? source = TemplateFixtures.TemplateSource(templateName);
        if (source is null)
        {
            Console.WriteLine($"skipped: {TemplateFixtures.SharedQwen3Config} is absent");
            return;
        }
        ChatTemplateContext context = TemplateFixtures.Context(TemplateFixtures.Cases()[caseName]);

        if (golden.TryGetProperty("error", out JsonElement error))
        {
            // jinja2 may fail while compiling or while rendering; either way Alloy must fail too.
            ChatTemplateException thrown = Assert.Throws<ChatTemplateException>(() =>
                ChatTemplate.Parse(source.Value.Source, source.Value.Name).Render(context));
            Assert.Equal(source.Value.Name, thrown.TemplateName);
            if (golden.GetProperty("raised_by_template").GetBoolean())
            {
                Assert.Equal(error.GetString(), thrown.Detail);
            }
            return;
        }
        ChatTemplate template = ChatTemplate.Parse(source.Value.Source, source.Value.Name);
        Assert.Equal(golden.GetProperty("output").GetString(), template.Render(context));
    }

    [Fact]
    public void Goldens_cover_every_template_and_case()
    {
        var pairs = TemplateFixtures.Goldens()
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
