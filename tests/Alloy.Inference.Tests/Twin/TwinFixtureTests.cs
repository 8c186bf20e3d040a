// The trained thinking/instruct twin fixture (tests/fixtures/twin, made by tools/fixtures/twin/make_twin.py) against
// its torch goldens: tokenizer ids, chat-template renders, fp32 logits, a greedy continuation, and real behaviour
// (thinking answers close a think block, instruct answers never open one). Not a test of merging.
using System.Text.Json;
using Alloy.Inference.Backends;
using Alloy.Inference.Sampling;
using Alloy.Inference.Templates;
using Alloy.Inference.Tokenization;
using Alloy.Inference.Transformer;

namespace Alloy.Inference.Tests.Twin;

public class TwinFixtureTests
{
    /// <summary>Absolute tolerance against the fp32 torch reference (logits here are of order 1–30).</summary>
    private const double Fp32Tolerance = 1e-4;

    private static readonly string[] Models = ["base", "instruct", "thinking"];

    private static string Folder(string model) => TestPaths.Fixtures("twin", model);

    private static JsonElement Golden { get; } = LoadGolden();

    private static JsonElement LoadGolden()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Fixtures("twin", "golden.json")));
        return document.RootElement.Clone();
    }

    private static int[] Ids(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt32())];

    public static TheoryData<string> ModelNames() => new(Models);

    public static TheoryData<string> ParentNames() => new(["instruct", "thinking"]);

    [Fact]
    public void The_three_folders_share_identical_tokenizer_template_and_generation_files()
    {
        foreach (var file in new[] { "tokenizer.json", "tokenizer_config.json", "generation_config.json", "config.json" })
        {
            var first = File.ReadAllBytes(Path.Combine(Folder(Models[0]), file));
            foreach (var model in Models.Skip(1))
                Assert.True(first.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(Folder(model), file))), $"{model}/{file} differs from {Models[0]}/{file}");
        }
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Tokenizer_ids_equal_the_golden_ids(string model)
    {
        var tokenizer = BpeTokenizer.Load(Folder(model));
        Assert.Equal(Golden.GetProperty("vocab_size").GetInt32(), tokenizer.VocabSize);
        foreach (var c in Golden.GetProperty("tokens").EnumerateArray())
        {
            var text = c.GetProperty("text").GetString()!;
            var expected = Ids(c.GetProperty("ids"));
            Assert.Equal(expected, tokenizer.Encode(text));
            Assert.Equal(text, tokenizer.Decode(expected));
        }
    }

    [Fact]
    public void Think_tags_are_added_tokens_that_are_not_special_and_im_end_is_the_eos()
    {
        var tokenizer = BpeTokenizer.Load(Folder("thinking"));
        foreach (var tag in new[] { "<think>", "</think>" })
        {
            var id = tokenizer.TokenToId(tag);
            Assert.NotNull(id);
            Assert.False(tokenizer.IsSpecial(id.Value), $"{tag} must not be special (Qwen3 marks it so)");
            Assert.Equal([id.Value], tokenizer.Encode(tag));
        }
        foreach (var special in new[] { "<|endoftext|>", "<|im_start|>", "<|im_end|>" })
            Assert.True(tokenizer.IsSpecial(tokenizer.TokenToId(special)!.Value), $"{special} must be special");
        Assert.Equal(tokenizer.TokenToId("<|im_end|>"), tokenizer.EndOfSequenceId);
        // Digits are split one per token by the Qwen split regex.
        Assert.Equal(4, tokenizer.Encode("9012").Length);
    }

    [Fact]
    public void Template_renders_byte_for_byte_as_golden()
    {
        var loaded = ChatTemplateLoader.Load(Folder("thinking"));
        Assert.Equal("<|im_end|>", loaded.EosToken);
        foreach (var c in Golden.GetProperty("renders").EnumerateArray())
        {
            var thinking = c.GetProperty("enable_thinking");
            var context = new ChatTemplateContext
            {
                Messages = c.GetProperty("messages"),
                AddGenerationPrompt = c.GetProperty("add_generation_prompt").GetBoolean(),
                EnableThinking = thinking.ValueKind == JsonValueKind.Null ? null : thinking.GetBoolean(),
                BosToken = loaded.BosToken,
                EosToken = loaded.EosToken,
            };
            Assert.Equal(c.GetProperty("text").GetString(), loaded.Template.Render(context));
        }
    }

    [Theory]
    [MemberData(nameof(ParentNames))]
    public void Engine_logits_match_torch_within_1e4(string model)
    {
        using var engine = TransformerModel.Open(Folder(model));
        var tokenizer = BpeTokenizer.Load(Folder(model));
        var cases = Golden.GetProperty("logits").EnumerateArray().Where(c => c.GetProperty("model").GetString() == model).ToArray();
        Assert.Equal(2, cases.Length);
        foreach (var c in cases)
        {
            var ids = Ids(c.GetProperty("ids"));
            Assert.Equal(ids, tokenizer.Encode(c.GetProperty("prompt").GetString()!));
            var expected = c.GetProperty("last_logits").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            var actual = engine.Forward(ids, engine.CreateCache());
            Assert.Equal(expected.Length, actual.Length);
            for (var i = 0; i < actual.Length; i++)
                Assert.True(Math.Abs(actual[i] - expected[i]) <= Fp32Tolerance, $"{model}: logit {i} is {actual[i]}, torch {expected[i]}");
        }
    }

    [Fact]
    public void Greedy_continuation_of_the_thinking_model_agrees_with_torch()
    {
        var greedy = Golden.GetProperty("greedy");
        var expected = Ids(greedy.GetProperty("tokens"));
        using var engine = TransformerModel.Open(Folder(greedy.GetProperty("model").GetString()!));
        var cache = engine.CreateCache();
        var logits = engine.Forward(Ids(greedy.GetProperty("ids")), cache);
        var produced = new List<int>();
        while (produced.Count < expected.Length)
        {
            var next = TokenSampler.ArgMax(logits);
            produced.Add(next);
            logits = engine.Forward([next], cache);
        }
        Assert.Equal(expected, produced);
        Assert.True(expected.Length >= 32);
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Fixture_folders_open_with_the_embedded_generator(string model)
    {
        using var generator = EmbeddedGenerator.Open(Folder(model));
        Assert.Equal(Golden.GetProperty("vocab_size").GetInt32(), generator.Spec.VocabSize);
        Assert.Contains(generator.Tokenizer.TokenToId("<|im_end|>")!.Value, generator.EndTokenIds);
        Assert.Contains(generator.Tokenizer.TokenToId("<|endoftext|>")!.Value, generator.EndTokenIds);
        Assert.Equal(0.6, generator.Defaults.Temperature);
        var prompt = GenerationPrompt.User("What is 12 + 34?\nPlease reason step by step, and put your final answer within \\boxed{}.");
        var rendered = generator.Tokenizer.Decode(generator.PromptTokens(prompt, enableThinking: null));
        Assert.EndsWith("<|im_end|>\n<|im_start|>assistant\n", rendered);
        Assert.EndsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n", generator.Tokenizer.Decode(generator.PromptTokens(prompt, enableThinking: false)));
    }

    /// <summary>The first <paramref name="perLevel"/> problems of each level in eval.jsonl.</summary>
    private static IReadOnlyList<(string Question, string Answer, int Level)> EvalProblems(int perLevel)
    {
        var all = File.ReadLines(TestPaths.Fixtures("twin", "eval.jsonl")).Select(line =>
        {
            using var record = JsonDocument.Parse(line);
            var r = record.RootElement;
            return (Question: r.GetProperty("question").GetString()!, Answer: r.GetProperty("answer").GetString()!, Level: r.GetProperty("level").GetInt32());
        }).ToArray();
        return [.. all.Where(p => p.Level == 1).Take(perLevel), .. all.Where(p => p.Level == 2).Take(perLevel)];
    }

    /// <summary>NumberGrader's reading, enough for these answers: after the first &lt;/think&gt;, the last \boxed{…}.</summary>
    private static string? BoxedAnswer(string text)
    {
        var end = text.IndexOf("</think>", StringComparison.Ordinal);
        var answer = end < 0 ? text : text[(end + "</think>".Length)..];
        var matches = System.Text.RegularExpressions.Regex.Matches(answer, @"\\boxed\{([^{}]*)\}");
        return matches.Count == 0 ? null : matches[^1].Groups[1].Value.Trim();
    }

    private static async Task<IReadOnlyList<GeneratedSample>> GreedyAnswers(string model, IReadOnlyList<(string Question, string Answer, int Level)> problems)
    {
        using var generator = EmbeddedGenerator.Open(Folder(model));
        var settings = new GenerationSettings(0, 1, 0, 0, 0, 128, [], 0, null);
        var tasks = problems.Select(p => generator.GenerateAsync(
            new GenerationRequest(GenerationPrompt.User(p.Question + "\nPlease reason step by step, and put your final answer within \\boxed{}."), settings, 1, 0),
            CancellationToken.None));
        return [.. (await Task.WhenAll(tasks)).Select(s => s[0])];
    }

    [Fact]
    public async Task Greedy_thinking_answers_close_a_think_block_and_instruct_answers_never_open_one()
    {
        // Five level-1 and five level-2 held-out problems; the README's table says what to expect of each model.
        var problems = EvalProblems(5);
        var thinking = await GreedyAnswers("thinking", problems);
        var instruct = await GreedyAnswers("instruct", problems);
        for (var i = 0; i < problems.Count; i++)
        {
            Assert.StartsWith("<think>\n", thinking[i].Text);
            Assert.Contains("\n</think>\n\n", thinking[i].Text);
            Assert.Equal(FinishReason.Stop, thinking[i].FinishReason);
            Assert.DoesNotContain("think>", instruct[i].Text);
            Assert.Equal(FinishReason.Stop, instruct[i].FinishReason);
        }
        Assert.True(thinking.Average(s => s.CompletionTokens) > 2 * instruct.Average(s => s.CompletionTokens),
            $"thinking mean {thinking.Average(s => s.CompletionTokens)} tokens, instruct {instruct.Average(s => s.CompletionTokens)}");
        // Both solve the carry-free level-1 sums; on level 2 only the thinking model is reliable.
        int Correct(IReadOnlyList<GeneratedSample> samples, int level) =>
            problems.Select((p, i) => (p, i)).Count(x => x.p.Level == level && BoxedAnswer(samples[x.i].Text) == x.p.Answer);
        Assert.True(Correct(thinking, 1) >= 4 && Correct(instruct, 1) >= 4, $"level 1: thinking {Correct(thinking, 1)}/5, instruct {Correct(instruct, 1)}/5");
        Assert.True(Correct(thinking, 2) >= 4, $"level 2: thinking {Correct(thinking, 2)}/5");
        Assert.True(Correct(thinking, 2) >= Correct(instruct, 2) + 2, $"level 2: thinking {Correct(thinking, 2)}/5, instruct {Correct(instruct, 2)}/5");
    }
}
