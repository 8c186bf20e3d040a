// The embedded generator on the tiny fp32 Qwen3 fixture: greedy output equals an argmax loop over Forward, seeds
// reproduce, samples differ only when sampling, stop strings / end ids / max tokens end samples as specified, and
// concurrent requests batched together give what each gives alone.
using Alloy.Inference.Backends;
using Alloy.Inference.Sampling;
using Alloy.Inference.Tokenization;
using Alloy.Inference.Transformer;
using Alloy.Tensors;

namespace Alloy.Inference.Tests.Backends;

public class EmbeddedGeneratorTests
{
    private static GenerationSettings Settings(double temperature = 0, int maxTokens = 24, IReadOnlyList<string>? stop = null, double topP = 1, int topK = 0) =>
        new(temperature, topP, topK, 0, 0, maxTokens, stop ?? [], 0, null);

    /// <summary>The reference: the chat prompt through the template, then argmax of Forward one token at a time.</summary>
    private static int[] ArgmaxLoop(string folder, string prompt, int steps)
    {
        using var model = TransformerModel.Open(folder);
        var ids = BpeTokenizer.Load(folder).Encode($"<|user|>{prompt}<|assistant|>");
        var cache = model.CreateCache();
        var logits = model.Forward(ids, cache);
        var result = new List<int>();
        for (var i = 0; i < steps; i++)
        {
            var next = TokenSampler.ArgMax(logits);
            result.Add(next);
            logits = model.Forward([next], cache);
        }
        return [.. result];
    }

    [Fact]
    public async Task Greedy_generation_equals_an_argmax_loop_over_forward()
    {
        using var temp = new TempFolder();
        var folder = TinyChatModel.Create(temp.Sub("m"));
        var expected = ArgmaxLoop(folder, "hello", 24);
        using var generator = EmbeddedGenerator.Open(folder);
        var request = new GenerationRequest(GenerationPrompt.User("hello"), Settings(), 3, 0);
        var samples = await generator.GenerateAsync(request, CancellationToken.None);
        var text = generator.Tokenizer.Decode(expected, skipSpecial: true);
        Assert.Equal(3, samples.Count);
        foreach (var sample in samples)
        {
            Assert.Equal(text, sample.Text);
            Assert.Equal(24, sample.CompletionTokens);
            Assert.Equal(FinishReason.Length, sample.FinishReason);
            Assert.Equal("<|user|>hello<|assistant|>".Length, sample.PromptTokens);
        }
        Assert.Equal([0, 1, 2], samples.Select(s => s.SampleIndex));
    }

    [Fact]
    public async Task Seeds_reproduce_and_samples_differ_when_sampling()
    {
        using var temp = new TempFolder();
        using var generator = EmbeddedGenerator.Open(TinyChatModel.Create(temp.Sub("m")));
        var settings = Settings(temperature: 1.5, maxTokens: 16);
        var first = await generator.GenerateAsync(new GenerationRequest(GenerationPrompt.Raw("abc"), settings, 4, 100), CancellationToken.None);
        Assert.True(first.Select(s => s.Text).Distinct().Count() > 1, "four samples at temperature 1.5 should not all be equal");
        Assert.Equal([100L, 101, 102, 103], first.Select(s => s.Seed));
        // The same seeds again, asked one index at a time (as a resumed run does), give the same texts.
        var again = await generator.GenerateAsync(new GenerationRequest(GenerationPrompt.Raw("abc"), settings, [2, 0], 100), CancellationToken.None);
        Assert.Equal(first[2].Text, again[0].Text);
        Assert.Equal(first[0].Text, again[1].Text);
        Assert.Equal(2, again[0].SampleIndex);
    }

    [Fact]
    public async Task Concurrent_requests_batched_together_give_what_each_gives_alone()
    {
        using var temp = new TempFolder();
        using var generator = EmbeddedGenerator.Open(TinyChatModel.Create(temp.Sub("m")), new EmbeddedGeneratorOptions { MaxBatchSize = 3 });
        var prompts = new[] { "a", "longer prompt", "xyz" };
        var settings = Settings(temperature: 0.8, maxTokens: 12);
        var alone = new List<string>();
        foreach (var p in prompts)
            alone.AddRange((await generator.GenerateAsync(new GenerationRequest(GenerationPrompt.Raw(p), settings, 2, 5), CancellationToken.None)).Select(s => s.Text));
        var together = await Task.WhenAll(prompts.Select(p => generator.GenerateAsync(new GenerationRequest(GenerationPrompt.Raw(p), settings, 2, 5), CancellationToken.None)));
        Assert.Equal(alone, together.SelectMany(r => r.Select(s => s.Text)));
    }

    [Fact]
    public async Task A_bf16_kv_cache_generates_and_other_cache_types_are_refused()
    {
        using var temp = new TempFolder();
        var folder = TinyChatModel.Create(temp.Sub("m"));
        using (var generator = EmbeddedGenerator.Open(folder, new EmbeddedGeneratorOptions { KvCacheType = DType.BF16 }))
        {
            var samples = await generator.GenerateAsync(new GenerationRequest(GenerationPrompt.Raw("abc"), Settings(temperature: 0, maxTokens: 8), 2, 1), CancellationToken.None);
            Assert.Equal(2, samples.Count);
            Assert.All(samples, s => Assert.True(s.CompletionTokens > 0));
        }
        var error = Assert.Throws<AlloyInputException>(() => EmbeddedGenerator.Open(folder, new EmbeddedGeneratorOptions { KvCacheType = DType.F16 }));
        Assert.Contains("KV cache type", error.Message);
    }

    [Fact]
    public async Task A_stop_string_ends_the_sample_and_is_cut_from_the_text()
    {
        using var temp = new TempFolder();
        var folder = TinyChatModel.Create(temp.Sub("m"));
        using var generator = EmbeddedGenerator.Open(folder);
        var full = (await generator.GenerateAsync(new GenerationRequest(GenerationPrompt.User("hello"), Settings(maxTokens: 24), 1, 0), CancellationToken.None))[0];
        // A stop string made of two characters of the greedy text, starting at its 5th character.
        var stop = full.Text.Substring(5, 2);
        var cut = full.Text.IndexOf(stop, StringComparison.Ordinal);
        var sample = (await generator.GenerateAsync(new GenerationRequest(GenerationPrompt.User("hello"), Settings(maxTokens: 24, stop: [stop]), 1, 0), CancellationToken.None))[0];
        Assert.Equal(FinishReason.Stop, sample.FinishReason);
        Assert.Equal(full.Text[..cut], sample.Text);
        Assert.True(sample.CompletionTokens < 24);
    }

    [Fact]
    public async Task An_end_id_from_generation_config_ends_the_sample()
    {
        using var temp = new TempFolder();
        var plain = TinyChatModel.Create(temp.Sub("plain"));
        var greedy = ArgmaxLoop(plain, "hello", 24);
        // The first token that differs from all before it, from the 4th on: the sample must stop right there.
        var at = Enumerable.Range(3, 21).First(i => !greedy[..i].Contains(greedy[i]));
        var folder = TinyChatModel.Create(temp.Sub("eos"), generationConfig: $"{{\"eos_token_id\": [{greedy[at]}, 159]}}");
        using var generator = EmbeddedGenerator.Open(folder);
        Assert.Contains(greedy[at], generator.EndTokenIds);
        var sample = (await generator.GenerateAsync(new GenerationRequest(GenerationPrompt.User("hello"), Settings(), 1, 0), CancellationToken.None))[0];
        Assert.Equal(FinishReason.Stop, sample.FinishReason);
        Assert.Equal(at + 1, sample.CompletionTokens);
        Assert.Equal(generator.Tokenizer.Decode(greedy[..at], skipSpecial: true), sample.Text);
    }

    [Fact]
    public async Task A_prompt_longer_than_the_context_is_refused_with_the_lengths()
    {
        using var temp = new TempFolder();
        using var generator = EmbeddedGenerator.Open(TinyChatModel.Create(temp.Sub("m")));
        var error = await Assert.ThrowsAsync<AlloyInputException>(() =>
            generator.GenerateAsync(new GenerationRequest(GenerationPrompt.Raw(new string('a', 600)), Settings(), 1, 0), CancellationToken.None));
        Assert.Contains("600 tokens", error.Message, StringComparison.Ordinal);
        Assert.Contains("512", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_fails_the_request_and_the_generator_keeps_working()
    {
        using var temp = new TempFolder();
        using var generator = EmbeddedGenerator.Open(TinyChatModel.Create(temp.Sub("m")));
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            generator.GenerateAsync(new GenerationRequest(GenerationPrompt.Raw("abc"), Settings(), 1, 0), cancel.Token));
        var sample = await generator.GenerateAsync(new GenerationRequest(GenerationPrompt.Raw("abc"), Settings(maxTokens: 3), 1, 0), CancellationToken.None);
        Assert.Equal(3, sample[0].CompletionTokens);
    }

    [Fact]
    public async Task Cancelling_mid_generation_stops_that_request_only()
    {
        using var temp = new TempFolder();
        using var cancel = new CancellationTokenSource();
        var seen = 0;
        GenerationRequest? victim = null;
        var options = new EmbeddedGeneratorOptions
        {
            OnToken = token =>
            {
                if (ReferenceEquals(token.Request, victim) && ++seen == 3)
                    cancel.Cancel();
            },
        };
        using var generator = EmbeddedGenerator.Open(TinyChatModel.Create(temp.Sub("m")), options);
        victim = new GenerationRequest(GenerationPrompt.Raw("abc"), Settings(maxTokens: 400), 2, 0);
        var other = new GenerationRequest(GenerationPrompt.Raw("xyz"), Settings(maxTokens: 40), 1, 0);
        var cancelled = generator.GenerateAsync(victim, cancel.Token);
        var kept = generator.GenerateAsync(other, CancellationToken.None);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(40, (await kept)[0].CompletionTokens);
        Assert.InRange(seen, 3, 4);
    }

    [Fact]
    public async Task The_token_callback_marks_each_samples_last_token_with_its_finish_reason()
    {
        using var temp = new TempFolder();
        var tokens = new System.Collections.Concurrent.ConcurrentQueue<GeneratedToken>();
        using var generator = EmbeddedGenerator.Open(TinyChatModel.Create(temp.Sub("m")), new EmbeddedGeneratorOptions { OnToken = tokens.Enqueue });
        var request = new GenerationRequest(GenerationPrompt.Raw("abc"), Settings(temperature: 0.9, maxTokens: 12, stop: ["e"]), 4, 5);
        var samples = await generator.GenerateAsync(request, CancellationToken.None);
        foreach (var sample in samples)
        {
            var own = tokens.Where(t => t.SampleIndex == sample.SampleIndex).ToList();
            Assert.Equal(sample.CompletionTokens, own.Count);
            Assert.Equal(sample.FinishReason, own[^1].Finish);
            Assert.All(own.SkipLast(1), t => Assert.Null(t.Finish));
            Assert.Equal(sample.Text, string.Concat(own.Select(t => t.Text)));
        }
    }

    [Fact]
    public async Task From_weights_generates_what_the_folder_generates_and_leaves_the_source_open()
    {
        using var temp = new TempFolder();
        var folder = TinyChatModel.Create(temp.Sub("m"));
        var request = new GenerationRequest(GenerationPrompt.User("hi"), Settings(temperature: 0.7, maxTokens: 10), 2, 3);
        IReadOnlyList<GeneratedSample> expected;
        using (var fromFolder = EmbeddedGenerator.Open(folder))
            expected = await fromFolder.GenerateAsync(request, CancellationToken.None);
        using var source = CheckpointWeightSource.Open(folder);
        using (var inMemory = EmbeddedGenerator.FromWeights(source, folder))
            Assert.Equal(expected.Select(s => s.Text), (await inMemory.GenerateAsync(request, CancellationToken.None)).Select(s => s.Text));
        Assert.True(source.TryGetWeight("model.norm.weight", out var norm));
        Assert.Equal(32 * sizeof(float), norm.Bytes.ToArray().Length);   // still mapped: the generator did not own it
    }

    [Fact]
    public void Count_tokens_uses_the_models_tokenizer()
    {
        using var temp = new TempFolder();
        using var generator = EmbeddedGenerator.Open(TinyChatModel.Create(temp.Sub("m")));
        Assert.Equal(5, generator.CountTokens("hello"));
        Assert.Throws<AlloyInputException>(() => EmbeddedGenerator.Open(temp.Sub("missing")));
    }
}
