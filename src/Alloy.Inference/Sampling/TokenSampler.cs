// Picks the next token from a logits row: presence penalty, temperature, min-p, top-k, top-p, then a seeded draw,
// in the order vLLM applies them. It does not run the model, decode text or decide when to stop (StopChecker does).
using Alloy.Inference.Backends;

namespace Alloy.Inference.Sampling;

/// <summary>
/// One sample's sampler: holds the settings, the sample's random stream and the set of tokens it has generated.
/// <list type="number">
/// <item>Presence penalty: z_t −= presence_penalty once for every distinct token t generated so far (prompt tokens
/// do not count), as vLLM and OpenAI define it.</item>
/// <item>Temperature T &lt; 1e-5 (vLLM's epsilon) is greedy: the argmax of the penalised logits, ties going to the
/// lowest id; the cut-offs below are then irrelevant and no random number is drawn.</item>
/// <item>Otherwise p = softmax(z / T) (computed in double with the max subtracted: no overflow).</item>
/// <item>min-p: drop tokens with p_t &lt; min_p · max p.</item>
/// <item>top-k (0 = off): keep the survivors whose probability is at least the k-th largest (tokens tied with the
/// k-th are all kept, as vLLM's mask keeps them).</item>
/// <item>top-p: renormalise the survivors, sort them by probability (ties by lower id) and keep a token when the
/// mass of the tokens before it is &lt; top_p, i.e. the smallest prefix whose mass reaches top_p.</item>
/// <item>Draw u ∈ [0, 1) from the sample's stream and take the first kept token (in that order) whose cumulative
/// mass exceeds u · (kept mass).</item>
/// </list>
/// NaN logits are treated as −∞ (never chosen); if every logit is −∞ or NaN the lowest id is returned.
/// Not thread-safe: one instance per sample.
/// </summary>
public sealed class TokenSampler
{
    /// <summary>Temperatures below this are greedy (vLLM's _SAMPLING_EPS).</summary>
    public const double GreedyBelow = 1e-5;

    private readonly double _temperature;
    private readonly double _topP;
    private readonly int _topK;
    private readonly double _minP;
    private readonly float _presencePenalty;
    private readonly SampleRandom _random;
    private readonly HashSet<int> _generated = [];
    private double[] _probabilities = [];
    private int[] _candidates = [];

    /// <summary>A sampler for one sample with <paramref name="settings"/> (validated) and seed <paramref name="seed"/>.</summary>
    /// <exception cref="Alloy.Tensors.AlloyInputException">A setting is out of range.</exception>
    public TokenSampler(GenerationSettings settings, long seed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _temperature = settings.Temperature;
        _topP = settings.TopP;
        _topK = settings.TopK;
        _minP = settings.MinP;
        _presencePenalty = (float)settings.PresencePenalty;
        _random = new SampleRandom(seed);
    }

    /// <summary>True when this sampler always takes the argmax.</summary>
    public bool IsGreedy => _temperature < GreedyBelow;

    /// <summary>
    /// Chooses the next token from <paramref name="logits"/> ([vocab]; modified in place by the penalty) and records it
    /// as generated.
    /// </summary>
    public int Next(Span<float> logits)
    {
        if (_presencePenalty != 0)
            foreach (var t in _generated)
                if ((uint)t < (uint)logits.Length)
                    logits[t] -= _presencePenalty;
        var token = IsGreedy ? ArgMax(logits) : Draw(logits);
        _generated.Add(token);
        return token;
    }

    /// <summary>The index of the largest value, the lowest index among ties; NaN never wins; 0 if none is a number above −∞.</summary>
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        var best = 0;
        var bestValue = float.NegativeInfinity;
        for (var i = 0; i < logits.Length; i++)
        {
            if (logits[i] > bestValue)
            {
                bestValue = logits[i];
                best = i;
            }
        }
        return best;
    }

    /// <summary>
    /// The kept tokens and their (unnormalised) probabilities after temperature, min-p, top-k and top-p, in the order
    /// the draw walks them. Exposed so tests can check the kept set exactly.
    /// </summary>
    public IReadOnlyList<(int Token, double Probability)> KeptDistribution(ReadOnlySpan<float> logits)
    {
        var count = Filter(logits);
        var result = new (int, double)[count];
        double total = 0;
        for (var i = 0; i < count; i++)
            total += _probabilities[_candidates[i]];
        for (var i = 0; i < count; i++)
            result[i] = (_candidates[i], _probabilities[_candidates[i]] / total);
        return result;
    }

    private int Draw(ReadOnlySpan<float> logits)
    {
        var count = Filter(logits);
        double total = 0;
        for (var i = 0; i < count; i++)
            total += _probabilities[_candidates[i]];
        var target = _random.NextDouble() * total;
        double cumulative = 0;
        for (var i = 0; i < count; i++)
        {
            cumulative += _probabilities[_candidates[i]];
            if (cumulative > target)
                return _candidates[i];
        }
        return _candidates[count - 1];
    }

    /// <summary>Fills _probabilities (softmax of z/T, 0 for dropped tokens) and the first n of _candidates with the kept tokens; returns n ≥ 1.</summary>
    private int Filter(ReadOnlySpan<float> logits)
    {
        var vocab = logits.Length;
        if (_probabilities.Length != vocab)
        {
            _probabilities = new double[vocab];
            _candidates = new int[vocab];
        }
        var p = _probabilities;
        var max = double.NegativeInfinity;
        var maxAt = 0;
        for (var i = 0; i < vocab; i++)
            if (logits[i] > max)
            {
                max = logits[i];
                maxAt = i;
            }
        if (double.IsNegativeInfinity(max))
        {
            _candidates[0] = maxAt;
            p[maxAt] = 1;
            return 1;
        }
        double sum = 0;
        var inverseT = 1.0 / _temperature;
        for (var i = 0; i < vocab; i++)
        {
            var z = logits[i];
            var e = float.IsNaN(z) ? 0 : Math.Exp((z - max) * inverseT);
            p[i] = e;
            sum += e;
        }
        // The largest probability is exp(0)/sum = 1/sum.
        var minimum = _minP > 0 ? _minP / sum : 0;
        var cutOff = _topK > 0 || _topP < 1;
        if (!cutOff)
        {
            var n = 0;
            for (var i = 0; i < vocab; i++)
                if (p[i] > 0 && p[i] / sum >= minimum)
                    _candidates[n++] = i;
            return n;
        }

        // Only tokens at or above a threshold can survive top-k / top-p when the set at or above it already holds
        // k tokens (top-k) or a mass ≥ top_p (top-p alone): lower tokens come after all of them in the order.
        for (var threshold = 1e-3 / sum; ; threshold = threshold > 1e-15 ? threshold * 1e-3 : 0)
        {
            var n = 0;
            double mass = 0;
            for (var i = 0; i < vocab; i++)
            {
                var q = p[i] / sum;
                if (q > 0 && q >= minimum && q >= threshold)
                {
                    _candidates[n++] = i;
                    mass += q;
                }
            }
            var enough = _topK > 0 ? n >= _topK : mass >= _topP * MassAfterMinP(minimum, sum);
            if (enough || threshold == 0)
                return CutSorted(n);
        }
    }

    private double MassAfterMinP(double minimum, double sum)
    {
        if (minimum == 0)
            return 1;
        double mass = 0;
        foreach (var e in _probabilities)
            if (e / sum >= minimum)
                mass += e / sum;
        return mass;
    }

    /// <summary>Sorts the n candidates by probability (desc, ties by id) and applies top-k (ties with the k-th kept) then top-p; returns the kept count.</summary>
    private int CutSorted(int n)
    {
        var p = _probabilities;
        var span = _candidates.AsSpan(0, n);
        span.Sort((a, b) =>
        {
            var c = p[b].CompareTo(p[a]);
            return c != 0 ? c : a.CompareTo(b);
        });
        var kept = _topK > 0 ? Math.Min(_topK, n) : n;
        // vLLM masks logits below the k-th largest, so tokens tied with the k-th are kept too.
        while (kept < n && p[span[kept]] == p[span[kept - 1]])
            kept++;
        if (_topP < 1)
        {
            double total = 0;
            for (var i = 0; i < kept; i++)
                total += p[span[i]];
            double before = 0;
            var keep = 0;
            while (keep < kept && before < _topP * total)
            {
                before += p[span[keep]];
                keep++;
            }
            kept = Math.Max(1, keep);
        }
        return kept;
    }
}
