// `alloy tokenize MODEL --text TEXT [--json]`: the token ids of a text with the model's tokenizer.json
// (special tokens written in TEXT count as special). Parsing and printing only.
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Alloy.Inference.Tokenization;

namespace Alloy.Cli.Commands;

internal static class TokenizeCommand
{
    public static Command Create(TextWriter stdout)
    {
        var model = new Argument<string>("MODEL") { Description = "A model folder with tokenizer.json (or the tokenizer.json file)" };
        var text = new Option<string>("--text") { Description = "The text to tokenize, fed as is", Required = true };
        var json = new Option<bool>("--json") { Description = "Print { \"ids\": [...], \"count\": N }" };
        var command = new Command("tokenize", "Token ids and count of a text (special tokens in TEXT are special)") { model, text, json };
        command.SetAction(parse =>
        {
            var tokenizer = BpeTokenizer.Load(ModelArgument.Resolve(parse.GetValue(model)!));
            var ids = tokenizer.EncodeWithSpecialTokens(parse.GetValue(text)!);
            if (parse.GetValue(json))
            {
                stdout.WriteLine(JsonSerializer.Serialize(new TokenizeOutput(ids, ids.Length), TokenizeJson.Default.TokenizeOutput));
            }
            else
            {
                stdout.WriteLine(string.Join(' ', ids.Select(i => i.ToString(CultureInfo.InvariantCulture))));
                stdout.WriteLine($"{ids.Length} tokens");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}

internal sealed record TokenizeOutput(int[] Ids, int Count);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(TokenizeOutput))]
internal sealed partial class TokenizeJson : System.Text.Json.Serialization.JsonSerializerContext;
