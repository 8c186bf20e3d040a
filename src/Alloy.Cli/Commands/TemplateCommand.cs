// `alloy template MODEL --messages FILE.json [--no-think] [--no-generation-prompt]`: prints, byte for
// byte, the prompt the model's chat template renders for a conversation. Parsing and printing only.
using System.CommandLine;
using System.Text.Json;
using Alloy.Inference.Templates;
using Alloy.Tensors;

namespace Alloy.Cli.Commands;

internal static class TemplateCommand
{
    public static Command Create(TextWriter stdout)
    {
        var model = new Argument<string>("MODEL") { Description = "A model folder with chat_template.jinja or tokenizer_config.json" };
        var messages = new Option<string>("--messages") { Description = "An OpenAI-style messages array, or {\"messages\": [...], \"tools\": [...]}", Required = true };
        var noThink = new Option<bool>("--no-think") { Description = "Render with enable_thinking = false (unset otherwise: the template's default)" };
        var noGenerationPrompt = new Option<bool>("--no-generation-prompt") { Description = "Do not append the assistant turn's opening" };
        var command = new Command("template", "Print the prompt a chat renders to, byte for byte") { model, messages, noThink, noGenerationPrompt };
        command.SetAction(parse =>
        {
            var loaded = ChatTemplateLoader.Load(ModelArgument.Resolve(parse.GetValue(model)!));
            var path = parse.GetValue(messages)!;
            using var document = ReadMessages(path);
            var root = document.RootElement;
            JsonElement list;
            JsonElement? tools = null;
            if (root.ValueKind == JsonValueKind.Array)
                list = root;
            else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Array)
            {
                list = m;
                if (root.TryGetProperty("tools", out var t) && t.ValueKind != JsonValueKind.Null)
                    tools = t;
            }
            else
                throw new AlloyInputException($"{path}: expected a messages array or an object with a 'messages' array");
            var rendered = loaded.Template.Render(new ChatTemplateContext
            {
                Messages = list,
                Tools = tools,
                AddGenerationPrompt = !parse.GetValue(noGenerationPrompt),
                EnableThinking = parse.GetValue(noThink) ? false : null,
                BosToken = loaded.BosToken,
                EosToken = loaded.EosToken,
            });
            stdout.Write(rendered);
            return ExitCodes.Success;
        });
        return command;
    }

    private static JsonDocument ReadMessages(string path)
    {
        try
        {
            if (new FileInfo(path).Length > 64 << 20)
                throw new AlloyInputException($"{path}: over 64 MB; a messages file should be small");
            return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (FileNotFoundException e)
        {
            throw new AlloyInputException($"{path}: file not found", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new AlloyInputException($"{path}: file not found", e);
        }
        catch (JsonException e)
        {
            throw new AlloyInputException($"{path}: not valid JSON (line {e.LineNumber + 1}): {e.Message.Split('\n')[0]}", e);
        }
    }
}
