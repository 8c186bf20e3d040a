// One unit of generation work: a prompt, its settings and which samples (by index) to produce.
// It holds no endpoint or scheduling information; generators decide where and how the samples are made.
namespace Alloy.Inference.Backends;

/// <summary>
/// Ask a generator for several independent samples of one prompt. Sample <c>i</c> is drawn with seed
/// <c>BaseSeed + i</c>, so a resumed run that asks only for the missing indices reproduces the same seeds.
/// </summary>
public sealed record GenerationRequest
{
    /// <summary>Creates a request for samples <c>0 … sampleCount−1</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="sampleCount"/> &lt; 1.</exception>
    public GenerationRequest(GenerationPrompt prompt, GenerationSettings settings, int sampleCount, long baseSeed)
        : this(prompt, settings, Enumerable.Range(0, RequirePositive(sampleCount)).ToArray(), baseSeed)
    {
    }

    /// <summary>Creates a request for the given sample indices (distinct, ≥ 0), e.g. the ones a resumed run still lacks.</summary>
    /// <exception cref="ArgumentException">When the list is empty, has a negative index or a repeated one.</exception>
    public GenerationRequest(GenerationPrompt prompt, GenerationSettings settings, IReadOnlyList<int> sampleIndices, long baseSeed)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(sampleIndices);
        if (sampleIndices.Count == 0)
        {
            throw new ArgumentException("A generation request needs at least one sample index.", nameof(sampleIndices));
        }
        if (sampleIndices.Any(index => index < 0) || sampleIndices.Distinct().Count() != sampleIndices.Count)
        {
            throw new ArgumentException("Sample indices must be distinct and ≥ 0.", nameof(sampleIndices));
        }
        Prompt = prompt;
        Settings = settings;
        SampleIndices = sampleIndices.ToArray();
        BaseSeed = baseSeed;
    }

    /// <summary>The prompt (chat messages or raw text).</summary>
    public GenerationPrompt Prompt { get; }

    /// <summary>The sampling settings, sent in full with every sample.</summary>
    public GenerationSettings Settings { get; }

    /// <summary>The sample indices to produce, in the order results are returned.</summary>
    public IReadOnlyList<int> SampleIndices { get; }

    /// <summary>Number of samples requested.</summary>
    public int SampleCount => SampleIndices.Count;

    /// <summary>Seed of sample 0; sample i uses <c>BaseSeed + i</c> (64-bit; wraps on overflow, which no real seed reaches).</summary>
    public long BaseSeed { get; }

    /// <summary>The seed sent for sample <paramref name="sampleIndex"/>: <c>BaseSeed + sampleIndex</c>.</summary>
    public long SeedFor(int sampleIndex) => unchecked(BaseSeed + sampleIndex);

    private static int RequirePositive(int sampleCount) =>
        sampleCount >= 1 ? sampleCount : throw new ArgumentOutOfRangeException(nameof(sampleCount), sampleCount, "Ask for at least one sample.");
}
