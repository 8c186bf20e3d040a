// `alloy generate MODEL -p TEXT [...]`: samples completions from the embedded engine, streamed to the terminal for
// one sample, or printed as JSON. Parsing, printing and exit codes only; the engine does the work.
using System.CommandLine;
using System.Globalization;
using Alloy.Inference.Backends;
using Alloy.Tensors;

namespace Alloy.Cli.Commands;

internal static class GenerateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var model = new Argument<string>("MODEL") { Description = "A model folder (config.json, *.safetensors, tokenizer.json, chat template)" };
        var prompt = new Option<string>("--prompt", "-p") { Description = "The user message (through the chat template with the generation prompt), or with --raw the text fed as is", Required = true };
        var system = new Option<string?>("--system") { Description = "A system message before the user message (chat mode)" };
        var noThink = new Option<bool>("--no-think") { Description = "Render the template with enable_thinking = false (hybrid Qwen3)" };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Cap on generated tokens, thinking included", DefaultValueFactory = _ => 512 };
        var temperature = new Option<double?>("--temperature") { Description = "Softmax temperature, 0 = greedy (default: generation_config.json's, else 0)" };
        var topP = new Option<double?>("--top-p") { Description = "Nucleus cut-off in (0, 1] (default: generation_config.json's, else 1 = off)" };
        var topK = new Option<int?>("--top-k") { Description = "Keep the k most likely tokens, 0 = off (default: generation_config.json's, else 0)" };
        var minP = new Option<double?>("--min-p") { Description = "Drop tokens below min_p × the top probability (default: generation_config.json's, else 0)" };
        var seed = new Option<long>("--seed") { Description = "Seed of sample 0; sample i uses seed + i", DefaultValueFactory = _ => 0 };
        var samples = new Option<int>("-n") { Description = "Number of samples (decoded as one batch)", DefaultValueFactory = _ => 1 };
        var raw = new Option<bool>("--raw") { Description = "Feed the prompt as is, without the chat template" };
        var json = new Option<bool>("--json") { Description = "Print { \"samples\": [ { \"text\", \"completion_tokens\", \"finish_reason\" } ], \"prompt_tokens\", \"prefill_tokens_per_s\", \"decode_tokens_per_s\" }" };
        var command = new Command("generate", "Generate text with the embedded engine")
        {
            model, prompt, system, noThink, maxTokens, temperature, topP, topK, minP, seed, samples, raw, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var count = parse.GetValue(samples);
            if (count < 1)
                throw new AlloyInputException($"-n must be at least 1, got {count}");
            var asJson = parse.GetValue(json);
            var stream = !asJson && count == 1;
            var options = new EmbeddedGeneratorOptions
            {
                MaxBatchSize = Math.Max(1, count),
                OnToken = stream ? token => { stdout.Write(token.Text); stdout.Flush(); } : null,
            };
            using var generator = EmbeddedGenerator.Open(ModelArgument.Resolve(parse.GetValue(model)!, stderr), options);
            var defaults = generator.Defaults;
            var settings = new GenerationSettings(
                parse.GetValue(temperature) ?? defaults.Temperature ?? 0,
                parse.GetValue(topP) ?? defaults.TopP ?? 1,
                parse.GetValue(topK) ?? defaults.TopK ?? 0,
                parse.GetValue(minP) ?? defaults.MinP ?? 0,
                0,
                parse.GetValue(maxTokens),
                [],
                parse.GetValue(seed),
                parse.GetValue(noThink) ? false : null);
            var text = parse.GetValue(prompt)!;
            GenerationPrompt request;
            if (parse.GetValue(raw))
                request = GenerationPrompt.Raw(text);
            else
            {
                var messages = new List<ChatMessage>();
                if (parse.GetValue(system) is { } s)
                    messages.Add(new ChatMessage("system", s));
                messages.Add(new ChatMessage("user", text));
                request = GenerationPrompt.Chat(messages);
            }
            var result = await generator.GenerateWithStatisticsAsync(new GenerationRequest(request, settings, count, settings.Seed), cancellationToken).ConfigureAwait(false);
            if (asJson)
            {
                stdout.WriteLine(Output.Json(w =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("samples");
                    foreach (var sample in result.Samples)
                    {
                        w.WriteStartObject();
                        w.WriteString("text", sample.Text);
                        w.WriteNumber("completion_tokens", sample.CompletionTokens);
                        w.WriteString("finish_reason", FinishName(sample.FinishReason));
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteNumber("prompt_tokens", result.PromptTokens);
                    WriteRate(w, "prefill_tokens_per_s", result.PrefillTokensPerSecond);
                    WriteRate(w, "decode_tokens_per_s", result.DecodeTokensPerSecond);
                    w.WriteEndObject();
                }));
            }
            else if (stream)
                stdout.WriteLine();
            else
            {
                foreach (var sample in result.Samples)
                {
                    stdout.WriteLine($"--- sample {sample.SampleIndex} (seed {sample.Seed}, {sample.CompletionTokens} tokens, {FinishName(sample.FinishReason)}) ---");
                    stdout.WriteLine(sample.Text);
                }
            }
            var generated = result.Samples.Sum(s => s.CompletionTokens);
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.PromptTokens} prompt tokens at {result.PrefillTokensPerSecond:0.0} tok/s; {generated} generated tokens at {result.DecodeTokensPerSecond:0.0} tok/s ({count} sample{(count == 1 ? "" : "s")})"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static string FinishName(FinishReason reason) => reason == FinishReason.Stop ? "stop" : "length";

    private static void WriteRate(System.Text.Json.Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
            writer.WriteNumber(name, value);
        else
            writer.WriteNull(name);
    }
}
