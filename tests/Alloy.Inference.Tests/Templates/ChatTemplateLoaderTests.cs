// ChatTemplateLoader: chat_template.jinja before tokenizer_config.json, named template lists, special tokens.
// Uses temporary folders and the shared Qwen3 tokenizer config when it is present.
using System.Text.Json;
using Alloy.Inference.Templates;
using Alloy.Tensors;

namespace Alloy.Inference.Tests.Templates;

public sealed class ChatTemplateLoaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("alloy-template-loader-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ChatTemplateContext Context() => new()
    {
        Messages = JsonDocument.Parse("""[{"role": "user", "content": "hi"}]""").RootElement.Clone(),
    };

    private void WriteConfig(object config) => File.WriteAllText(Path.Combine(_folder, "tokenizer_config.json"), JsonSerializer.Serialize(config));

    [Fact]
    public void Chat_template_jinja_wins_over_tokenizer_config()
    {
        WriteConfig(new { chat_template = "from config", bos_token = "<s>", eos_token = new { content = "</s>", lstrip = false } });
        File.WriteAllText(Path.Combine(_folder, "chat_template.jinja"), "from jinja {{ messages[0].content }}\n");
        LoadedChatTemplate loaded = ChatTemplateLoader.Load(_folder);
        Assert.Equal("from jinja hi", loaded.Template.Render(Context()));
        Assert.Equal(Path.Combine(_folder, "chat_template.jinja"), loaded.Template.Name);
        Assert.Equal("<s>", loaded.BosToken);
        Assert.Equal("</s>", loaded.EosToken);
    }

    [Fact]
    public void String_chat_template_in_tokenizer_config()
    {
        WriteConfig(new { chat_template = "config {{ messages|length }}" });
        LoadedChatTemplate loaded = ChatTemplateLoader.Load(_folder);
        Assert.Equal("config 1", loaded.Template.Render(Context()));
        Assert.Null(loaded.BosToken);
        Assert.Contains("tokenizer_config.json", loaded.Template.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void Named_template_list_uses_default()
    {
        WriteConfig(new
        {
            chat_template = new object[]
            {
                new { name = "tool_use", template = "tools" },
                new { name = "default", template = "default {{ add_generation_prompt }}" },
            },
        });
        Assert.Equal("default False", ChatTemplateLoader.Load(_folder).Template.Render(Context()));
    }

    [Fact]
    public void Named_template_list_without_default_is_rejected()
    {
        WriteConfig(new { chat_template = new object[] { new { name = "rag", template = "x" } } });
        AlloyInputException error = Assert.Throws<AlloyInputException>(() => ChatTemplateLoader.Load(_folder));
        Assert.Contains("\"default\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_template_is_rejected_with_the_file_names()
    {
        AlloyInputException noFiles = Assert.Throws<AlloyInputException>(() => ChatTemplateLoader.Load(_folder));
        Assert.Contains("chat_template.jinja", noFiles.Message, StringComparison.Ordinal);
        WriteConfig(new { bos_token = "<s>" });
        AlloyInputException noField = Assert.Throws<AlloyInputException>(() => ChatTemplateLoader.Load(_folder));
        Assert.Contains("\"chat_template\"", noField.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_json_names_the_file()
    {
        File.WriteAllText(Path.Combine(_folder, "tokenizer_config.json"), "{ not json");
        AlloyInputException error = Assert.Throws<AlloyInputException>(() => ChatTemplateLoader.Load(_folder));
        Assert.Contains("tokenizer_config.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shared_qwen3_folder_loads_and_renders_like_the_golden()
    {
        string? folder = Path.GetDirectoryName(TemplateFixtures.SharedQwen3Config);
        if (folder is null || !File.Exists(TemplateFixtures.SharedQwen3Config))
        {
            Console.WriteLine($"skipped: {TemplateFixtures.SharedQwen3Config} is absent");
            return;
        }
        LoadedChatTemplate loaded = ChatTemplateLoader.Load(folder);
        Assert.Null(loaded.BosToken);
        Assert.Equal("<|im_end|>", loaded.EosToken);
        JsonElement golden = TemplateFixtures.Golden("shared-qwen3", "multi_turn_reasoning");
        ChatTemplateContext context = TemplateFixtures.Context(TemplateFixtures.Cases()["multi_turn_reasoning"]);
        Assert.Equal(golden.GetProperty("output").GetString(), loaded.Template.Render(context));
    }
}
