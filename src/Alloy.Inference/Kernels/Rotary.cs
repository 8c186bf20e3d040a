// Rotary position embedding, "rotate half" form (HF Llama/Qwen): the two halves of each head vector
// are rotated as pairs (i, i + d/2) by angle position · inv_freq[i]. Also the inverse frequencies,
// plain or with Llama 3 scaling. It knows nothing about heads or layers.
namespace Alloy.Inference.Kernels;

/// <summary>
/// Rotary embedding. For a head vector v of length d and position p, with θᵢ = p · inv_freq[i], i &lt; d/2:
/// <c>v'[i] = v[i]·cos θᵢ − v[i+d/2]·sin θᵢ</c>, <c>v'[i+d/2] = v[i+d/2]·cos θᵢ + v[i]·sin θᵢ</c>.
/// θ is a single-precision product, cos and sin are taken in f32, as HF does.
/// </summary>
public static class Rotary
{
    /// <summary>
    /// Inverse frequencies <c>inv_freq[i] = 1 / base^(2i/d)</c> for i &lt; d/2 (f32 as torch computes them),
    /// then, when <paramref name="llama3"/> is given, Llama 3's band-wise rescaling: wavelengths
    /// 2π/f longer than original/low_freq_factor are divided by factor, shorter than original/high_freq_factor
    /// kept, and the band between interpolated with smooth = (original/wavelength − low)/(high − low).
    /// </summary>
    /// <param name="headDim">d, even.</param>
    /// <param name="ropeTheta">base (rope_theta), &gt; 0.</param>
    /// <param name="llama3">Llama 3 rope_scaling, or null.</param>
    /// <exception cref="ArgumentException">d is odd or not positive.</exception>
    public static float[] InverseFrequencies(int headDim, double ropeTheta, Llama3RopeScaling? llama3)
    {
        if (headDim <= 0 || headDim % 2 != 0)
            throw new ArgumentException($"head_dim must be a positive even number, got {headDim}", nameof(headDim));
        var half = headDim / 2;
        var result = new float[half];
        for (var i = 0; i < half; i++)
        {
            var exponent = (float)(2 * i) / headDim;
            result[i] = 1f / MathF.Pow((float)ropeTheta, exponent);
        }
        if (llama3 is null)
            return result;
        var lowWavelength = llama3.OriginalMaxPositions / llama3.LowFrequencyFactor;
        var highWavelength = llama3.OriginalMaxPositions / llama3.HighFrequencyFactor;
        for (var i = 0; i < half; i++)
        {
            double f = result[i];
            var wavelength = 2 * Math.PI / f;
            var scaled = wavelength > lowWavelength ? f / llama3.Factor : f;
            if (!(wavelength < highWavelength) && !(wavelength > lowWavelength))
            {
                var smooth = (llama3.OriginalMaxPositions / wavelength - llama3.LowFrequencyFactor) / (llama3.HighFrequencyFactor - llama3.LowFrequencyFactor);
                scaled = (1 - smooth) * scaled / llama3.Factor + smooth * scaled;
            }
            result[i] = (float)scaled;
        }
        return result;
    }

    /// <summary>cos θᵢ and sin θᵢ for one position: θᵢ = (float)position · inv_freq[i].</summary>
    /// <exception cref="ArgumentException">Span lengths differ.</exception>
    public static void Angles(int position, ReadOnlySpan<float> inverseFrequencies, Span<float> cos, Span<float> sin)
    {
        if (cos.Length != inverseFrequencies.Length || sin.Length != inverseFrequencies.Length)
            throw new ArgumentException("cos and sin must have the length of the inverse frequencies");
        for (var i = 0; i < inverseFrequencies.Length; i++)
        {
            var angle = position * inverseFrequencies[i];
            cos[i] = MathF.Cos(angle);
            sin[i] = MathF.Sin(angle);
        }
    }

    /// <summary>Rotates one head vector in place; cos and sin have length d/2 (from <see cref="Angles"/>).</summary>
    /// <exception cref="ArgumentException">head.Length ≠ 2 × cos.Length.</exception>
    public static void Apply(Span<float> head, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        var half = cos.Length;
        if (head.Length != 2 * half || sin.Length != half)
            throw new ArgumentException($"a head of {head.Length} needs cos and sin of {head.Length / 2}");
        for (var i = 0; i < half; i++)
        {
            var a = head[i];
            var b = head[i + half];
            head[i] = a * cos[i] - b * sin[i];
            head[i + half] = b * cos[i] + a * sin[i];
        }
    }
}

/// <summary>Llama 3 rope_scaling parameters (rope_type "llama3").</summary>
/// <param name="Factor">factor.</param>
/// <param name="LowFrequencyFactor">low_freq_factor.</param>
/// <param name="HighFrequencyFactor">high_freq_factor.</param>
/// <param name="OriginalMaxPositions">original_max_position_embeddings.</param>
public sealed record Llama3RopeScaling(double Factor, double LowFrequencyFactor, double HighFrequencyFactor, double OriginalMaxPositions);
