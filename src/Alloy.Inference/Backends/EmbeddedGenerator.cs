// The in-process generator: renders and tokenizes prompts, prefills each prompt once, forks its KV cache for the
// samples and decodes every active sample of every request in shared batches on one worker thread (continuous
// batching). It does not grade, retry or talk to servers.
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Alloy.Inference.Kernels;
using Alloy.Inference.Sampling;
using Alloy.Inference.Templates;
using Alloy.Inference.Tokenization;
using Alloy.Inference.Transformer;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;

namespace Alloy.Inference.Backends;

/// <summary>
/// <see cref="IGenerator"/> over the embedded transformer. Requests may be submitted concurrently: a single worker
/// admits them as they come, prefills each prompt once (its samples share the prompt's KV cache through
/// <see cref="KvCache.Fork"/>), and steps all active samples together with <see cref="TransformerModel.DecodeBatch"/>
/// (up to <see cref="EmbeddedGeneratorOptions.MaxBatchSize"/> sequences per call). Sample i of a request draws from a
/// <see cref="TokenSampler"/> seeded with BaseSeed + i, so its tokens depend only on the prompt, settings and seed, not
/// on what else shares the batch (up to the ~1e-6 summation-order difference of batched products, which can flip a
/// draw only at an exact tie of cumulative mass).
/// <para>Chat prompts are rendered with the model's chat template (add_generation_prompt = true, enable_thinking from
/// the settings when set) and tokenized with special tokens recognised; raw prompts are tokenized as is (no BOS is
/// added). Text is decoded with special tokens skipped. A sample ends on an end id (generation_config.json's
/// eos_token_id, else config.json's, plus the tokenizer's eos), a stop string (cut from the text), max_tokens or the
/// model's context (max_position_embeddings) — the last two with finish reason length.</para>
/// </summary>
public sealed class EmbeddedGenerator : IGenerator, IDisposable
{
    private readonly TransformerModel _model;
    private readonly BpeTokenizer _tokenizer;
    private readonly LoadedChatTemplate? _template;
    private readonly string? _templateError;
    private readonly EmbeddedGeneratorOptions _options;
    private readonly HashSet<int> _endIds;
    private readonly Channel<Job> _queue = Channel.CreateUnbounded<Job>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _worker;

    private EmbeddedGenerator(TransformerModel model, ModelConfig config, string tokenizerFolder, EmbeddedGeneratorOptions? options)
    {
        _options = options ?? new EmbeddedGeneratorOptions();
        if (_options.MaxBatchSize < 1)
            throw new AlloyInputException($"max batch size {_options.MaxBatchSize} is invalid: use at least 1");
        if (_options.KvCacheType is not (DType.F32 or DType.BF16))
            throw new AlloyInputException($"KV cache type {_options.KvCacheType} is not supported: use F32 or BF16");
        if (_options.Threads is { } threads)
        {
            if (threads < 1)
                throw new AlloyInputException($"threads = {threads} is invalid: use at least 1");
            RowParallel.MaxThreads = threads;
        }
        _model = model;
        _tokenizer = BpeTokenizer.Load(tokenizerFolder);
        try
        {
            _template = ChatTemplateLoader.Load(tokenizerFolder);
        }
        catch (AlloyInputException e)
        {
            _templateError = e.Message;
        }
        var defaults = GenerationDefaults.Load(tokenizerFolder);
        Defaults = defaults;
        _endIds = [.. defaults.EosTokenIds.Count > 0 ? defaults.EosTokenIds : config.EosTokenIds];
        if (_tokenizer.EndOfSequenceId is { } eos)
            _endIds.Add(eos);
        ContextLength = config.MaxPositionEmbeddings ?? int.MaxValue;
        _worker = Task.Factory.StartNew(RunWorker, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>The model's shape.</summary>
    public Architectures.TransformerSpec Spec => _model.Spec;

    /// <summary>The tokenizer (read from the model or tokenizer folder).</summary>
    public BpeTokenizer Tokenizer => _tokenizer;

    /// <summary>generation_config.json's end ids and sampling defaults (CLI defaults come from here).</summary>
    public GenerationDefaults Defaults { get; }

    /// <summary>The ids that end a sample.</summary>
    public IReadOnlyCollection<int> EndTokenIds => _endIds;

    /// <summary>Most positions (prompt + generated) a sequence may hold: max_position_embeddings, or int.MaxValue when absent.</summary>
    public int ContextLength { get; }

    /// <summary>The chat template's source text (chat_template.jinja or tokenizer_config.json's), or null when the folder has none.</summary>
    public string? ChatTemplateSource => _template?.Template.Source;

    /// <summary>
    /// Opens a model folder: memory-mapped checkpoint, tokenizer.json, the chat template (chat_template.jinja or
    /// tokenizer_config.json; only needed for chat prompts) and generation_config.json.
    /// </summary>
    /// <exception cref="AlloyInputException">The folder is missing, unreadable, unsupported, or has no tokenizer.json.</exception>
    public static EmbeddedGenerator Open(string modelFolder, EmbeddedGeneratorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelFolder);
        if (!Directory.Exists(modelFolder))
            throw new AlloyInputException($"{modelFolder}: no such model folder; expected a folder with config.json, *.safetensors and tokenizer.json");
        var source = CheckpointWeightSource.Open(modelFolder);
        TransformerModel? model = null;
        try
        {
            model = TransformerModel.Load(source, ownsSource: true);
            return new EmbeddedGenerator(model, source.Config, modelFolder, options);
        }
        catch
        {
            if (model is null)
                source.Dispose();
            else
                model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Binds in-memory weights (e.g. a merged model never written to disk); the tokenizer, chat template and
    /// generation config come from <paramref name="tokenizerFolder"/> (a parent's folder). The weights are not owned:
    /// the caller disposes them after this generator.
    /// </summary>
    /// <exception cref="AlloyInputException">Unsupported or mis-shaped weights, or no tokenizer.json in the folder.</exception>
    public static EmbeddedGenerator FromWeights(IWeightSource weights, string tokenizerFolder, EmbeddedGeneratorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(tokenizerFolder);
        if (!Directory.Exists(tokenizerFolder))
            throw new AlloyInputException($"{tokenizerFolder}: no such folder; expected the folder holding tokenizer.json");
        var model = TransformerModel.Load(weights);
        try
        {
            return new EmbeddedGenerator(model, weights.Config, tokenizerFolder, options);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Tokens of <paramref name="text"/> with this model's tokenizer, special tokens recognised (e.g. &lt;think&gt;).</summary>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.Encode(text, allowSpecial: true).Length;
    }

    /// <summary>The token ids a prompt is fed as (chat prompts rendered through the template first).</summary>
    /// <exception cref="AlloyInputException">No chat template for a chat prompt, an empty prompt, or ids outside the model's vocabulary.</exception>
    public int[] PromptTokens(GenerationPrompt prompt, bool? enableThinking)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var text = prompt.RawText ?? RenderChat(prompt.Messages!, enableThinking);
        // Raw prompts get the tokenizer's own special tokens (Llama 3's <|begin_of_text|>) as HF and vLLM add them;
        // a rendered chat prompt already holds what its template writes.
        var ids = prompt.RawText is not null ? _tokenizer.EncodeWithSpecialTokens(text) : _tokenizer.Encode(text, allowSpecial: true);
        if (ids.Length == 0)
            throw new AlloyInputException("the prompt encodes to no tokens; give at least one character");
        foreach (var id in ids)
            if (id >= _model.Spec.VocabSize)
                throw new AlloyInputException($"the tokenizer gives id {id}, but the model's vocab_size is {_model.Spec.VocabSize}; tokenizer.json does not belong to this model");
        return ids;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GeneratedSample>> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken) =>
        (await GenerateWithStatisticsAsync(request, cancellationToken).ConfigureAwait(false)).Samples;

    /// <summary>
    /// <see cref="GenerateAsync"/> that also returns the prompt length and the prefill and decode wall times.
    /// </summary>
    /// <exception cref="AlloyInputException">Invalid settings, a prompt that cannot be rendered, or one that leaves no
    /// room in the model's context.</exception>
    public Task<EmbeddedGeneration> GenerateWithStatisticsAsync(GenerationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Settings.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var prompt = PromptTokens(request.Prompt, request.Settings.EnableThinking);
        if (prompt.Length >= ContextLength)
            throw new AlloyInputException($"the prompt has {prompt.Length} tokens but the model's context (max_position_embeddings) is {ContextLength}; shorten the prompt to leave room for at least one generated token");
        var job = new Job(request, prompt, cancellationToken);
        if (!_queue.Writer.TryWrite(job))
            throw new ObjectDisposedException(nameof(EmbeddedGenerator));
        return job.Completion.Task;
    }

    private string RenderChat(IReadOnlyList<ChatMessage> messages, bool? enableThinking)
    {
        if (_template is null)
            throw new AlloyInputException($"a chat prompt needs the model's chat template: {_templateError}");
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var message in messages)
            {
                writer.WriteStartObject();
                writer.WriteString("role", message.Role);
                writer.WriteString("content", message.Content);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        using var document = JsonDocument.Parse(buffer.ToArray());
        return _template.Template.Render(new ChatTemplateContext
        {
            Messages = document.RootElement.Clone(),
            AddGenerationPrompt = true,
            EnableThinking = enableThinking,
            BosToken = _template.BosToken,
            EosToken = _template.EosToken,
        });
    }

    private async Task RunWorker()
    {
        var active = new List<Sequence>();
        var reader = _queue.Reader;
        while (true)
        {
            while (active.Count < _options.MaxBatchSize && reader.TryRead(out var job))
                Admit(job, active);
            if (active.Count == 0)
            {
                if (!await reader.WaitToReadAsync().ConfigureAwait(false))
                    return;
                continue;
            }
            try
            {
                Step(active);
            }
            catch (Exception e)
            {
                foreach (var job in active.Select(s => s.Job).Distinct().ToArray())
                    Fail(job, e, active);
            }
        }
    }

    /// <summary>Prefills the job's prompt once and starts its samples, each from a fork of the prompt's cache.</summary>
    private void Admit(Job job, List<Sequence> active)
    {
        try
        {
            job.Cancellation.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            var cache = _model.CreateCache(_options.KvCacheType);
            var logits = _model.Forward(job.Prompt, cache);
            job.PrefillSeconds = clock.Elapsed.TotalSeconds;
            job.DecodeClock.Start();
            var indices = job.Request.SampleIndices;
            for (var s = 0; s < indices.Count; s++)
            {
                var own = s == indices.Count - 1 ? cache : cache.Fork();
                var sequence = new Sequence(job, s, own,
                    new TokenSampler(job.Request.Settings, job.Request.SeedFor(indices[s])),
                    new StopChecker(_endIds, job.Request.Settings.Stop, job.Request.Settings.MaxTokens),
                    _tokenizer.CreateStreamingDecoder(skipSpecial: true));
                job.Sequences.Add(sequence);
                if (!Accept(sequence, (float[])logits.Clone()))
                    active.Add(sequence);
                else
                    sequence.Cache.Release();
            }
            TryComplete(job);
        }
        catch (Exception e)
        {
            Fail(job, e, active);
        }
    }

    /// <summary>The logits rows of <see cref="Step"/>, grown to the largest batch seen.</summary>
    private float[] _stepLogits = [];

    /// <summary>One decode step over every active sequence (in batches of MaxBatchSize); drops finished and cancelled ones.</summary>
    private void Step(List<Sequence> active)
    {
        foreach (var job in active.Select(s => s.Job).Distinct().ToArray())
            if (job.Cancellation.IsCancellationRequested)
                Fail(job, new OperationCanceledException(job.Cancellation), active);
        if (active.Count == 0)
            return;
        var vocab = _model.Spec.VocabSize;
        var batch = Math.Min(_options.MaxBatchSize, active.Count);
        // Reused across steps (only the worker runs Step): a fresh [batch, vocab] array per step is a large-object
        // allocation of several MB every step, with the page faults and gen-2 collections that brings.
        if (_stepLogits.Length < batch * vocab)
            _stepLogits = new float[batch * vocab];
        var logits = _stepLogits;
        var tokens = new int[batch];
        var caches = new KvCache[batch];
        for (var start = 0; start < active.Count; start += batch)
        {
            var n = Math.Min(batch, active.Count - start);
            for (var i = 0; i < n; i++)
            {
                tokens[i] = active[start + i].NextToken;
                caches[i] = active[start + i].Cache;
            }
            try
            {
                _model.DecodeBatch(tokens.AsSpan(0, n), n == batch ? caches : caches[..n], logits);
                for (var i = 0; i < n; i++)
                {
                    var sequence = active[start + i];
                    if (sequence.Job.Completion.Task.IsCompleted)
                        continue;
                    try
                    {
                        Accept(sequence, logits.AsSpan(i * vocab, vocab));
                    }
                    catch (Exception e)
                    {
                        Fail(sequence.Job, e, null);
                    }
                }
            }
            catch (Exception e)
            {
                for (var i = 0; i < n; i++)
                    Fail(active[start + i].Job, e, null);
            }
        }
        Retire(active, s => s.Done || s.Job.Completion.Task.IsCompleted);
        foreach (var job in active.Select(s => s.Job).Distinct().ToArray())
            TryComplete(job);
    }

    /// <summary>Samples the sequence's next token from its logits row; returns true when the sequence has finished.</summary>
    private bool Accept(Sequence sequence, Span<float> logits)
    {
        var token = sequence.Sampler.Next(logits);
        var piece = _endIds.Contains(token) ? string.Empty : sequence.Decoder.Append(token);
        var stop = sequence.Stop;
        if (!stop.Append(token, piece) && sequence.Cache.Length >= ContextLength)
            stop.Truncate();
        var streamed = stop.TakeStreamable();
        if (stop.Finished is not null)
        {
            var tail = stop.StoppedOnString ? string.Empty : sequence.Decoder.Flush();
            streamed += tail;
            sequence.Text = stop.Text + tail;
            sequence.Done = true;
            var request = sequence.Job.Request;
            var index = request.SampleIndices[sequence.Slot];
            sequence.Job.Results[sequence.Slot] = new GeneratedSample(index, request.SeedFor(index), sequence.Text, stop.TokenCount, stop.Finished.Value, null, sequence.Job.Prompt.Length);
        }
        sequence.NextToken = token;
        _options.OnToken?.Invoke(new GeneratedToken(sequence.Job.Request, sequence.Job.Request.SampleIndices[sequence.Slot], token, streamed,
            sequence.Done ? stop.Finished : null));
        if (sequence.Done)
            TryComplete(sequence.Job);
        return sequence.Done;
    }

    private static void TryComplete(Job job)
    {
        if (job.Completion.Task.IsCompleted || job.Sequences.Count < job.Request.SampleCount || job.Sequences.Any(s => !s.Done))
            return;
        job.DecodeClock.Stop();
        job.Completion.TrySetResult(new EmbeddedGeneration(job.Results!, job.Prompt.Length, job.PrefillSeconds, job.DecodeClock.Elapsed.TotalSeconds));
    }

    private static void Fail(Job job, Exception error, List<Sequence>? active)
    {
        if (error is OperationCanceledException)
            job.Completion.TrySetCanceled(job.Cancellation.IsCancellationRequested ? job.Cancellation : CancellationToken.None);
        else
            job.Completion.TrySetException(error);
        if (active != null)
            Retire(active, s => s.Job == job);
    }

    /// <summary>Removes the sequences that are leaving from the active list and releases their KV caches' pages for reuse.</summary>
    private static void Retire(List<Sequence> active, Predicate<Sequence> leaving)
    {
        foreach (var sequence in active)
            if (leaving(sequence))
                sequence.Cache.Release();
        active.RemoveAll(leaving);
    }

    /// <summary>Stops accepting requests, lets the worker finish the ones already queued, and releases the model.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _worker.Wait();
        _model.Dispose();
    }

    private sealed class Job(GenerationRequest request, int[] prompt, CancellationToken cancellation)
    {
        public GenerationRequest Request { get; } = request;
        public int[] Prompt { get; } = prompt;
        public CancellationToken Cancellation { get; } = cancellation;
        public TaskCompletionSource<EmbeddedGeneration> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public List<Sequence> Sequences { get; } = [];
        public GeneratedSample[] Results { get; } = new GeneratedSample[request.SampleCount];
        public Stopwatch DecodeClock { get; } = new();
        public double PrefillSeconds { get; set; }
    }

    private sealed class Sequence(Job job, int slot, KvCache cache, TokenSampler sampler, StopChecker stop, StreamingDecoder decoder)
    {
        public Job Job { get; } = job;
        public int Slot { get; } = slot;
        public KvCache Cache { get; } = cache;
        public TokenSampler Sampler { get; } = sampler;
        public StopChecker Stop { get; } = stop;
        public StreamingDecoder Decoder { get; } = decoder;
        public int NextToken { get; set; }
        public bool Done { get; set; }
        public string Text { get; set; } = string.Empty;
    }
}
