// `alloy logits MODEL --text TEXT [--top 10] [--json]`: the next-token logits after TEXT (fed as is,
// special tokens special) from the embedded engine, highest first. Parsing and printing only.
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Alloy.Inference.Tokenization;
using Alloy.Inference.Transformer;
using Alloy.Tensors;

namespace Alloy.Cli.Commands;

internal static class LogitsCommand
{
    public static Command Create(TextWriter stdout)
    {
        var model = new Argument<string>("MODEL") { Description = "A model folder (config.json, *.safetensors, tokenizer.json)" };
        var text = new Option<string>("--text") { Description = "The text fed to the model as is (no chat template)", Required = true };
        var top = new Option<int>("--top") { Description = "How many of the highest logits to print", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "Print { \"prompt_tokens\", \"top\": [ { \"id\", \"token\", \"logit\" } ] }" };
        var command = new Command("logits", "Next-token top-k logits after a text, from the embedded engine") { model, text, top, json };
        command.SetAction(parse =>
        {
            var k = parse.GetValue(top);
            if (k < 1)
                throw new AlloyInputException($"--top must be at least 1, got {k}");
            var folder = ModelArgument.Resolve(parse.GetValue(model)!);
            var tokenizer = BpeTokenizer.Load(folder);
            var ids = tokenizer.EncodeWithSpecialTokens(parse.GetValue(text)!);
            if (ids.Length == 0)
                throw new AlloyInputException("--text encodes to no tokens; give at least one character");
            using var transformer = TransformerModel.Open(folder);
            var vocab = transformer.Spec.VocabSize;
            var outside = ids.FirstOrDefault(id => id >= vocab);
            if (outside >= vocab)
                throw new AlloyInputException($"{folder}: the tokenizer gives id {outside}, but the model's vocab_size is {vocab}; tokenizer.json does not belong to this model");
            var logits = transformer.Forward(ids, transformer.CreateCache());
            var best = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ThenBy(i => i).Take(k).ToArray();
            if (parse.GetValue(json))
            {
                stdout.WriteLine(Output.Json(w =>
                {
                    w.WriteStartObject();
                    w.WriteNumber("prompt_tokens", ids.Length);
                    w.WriteStartArray("top");
                    foreach (var id in best)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("id", id);
                        w.WriteString("token", tokenizer.Decode([id]));
                        if (float.IsFinite(logits[id]))
                            w.WriteNumber("logit", logits[id]);
                        else
                            w.WriteNull("logit");
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }));
            }
            else
            {
                stdout.WriteLine($"{ids.Length} prompt tokens; top {best.Length} next-token logits:");
                foreach (var id in best)
                    stdout.WriteLine($"{id,8} {logits[id].ToString("0.0000", CultureInfo.InvariantCulture),12}  {JsonSerializer.Serialize(tokenizer.Decode([id]))}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
