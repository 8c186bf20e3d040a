// The counter-based random stream of DARE and DELLA: element e's draw depends only on (seed, tensor name, model, e).
// So a tensor merged whole, in chunks or in parallel gives the same mask. Not a general-purpose RNG.
using System.Runtime.CompilerServices;
using System.Text;

namespace Alloy.Merging.Methods;

/// <summary>
/// SplitMix64 used as a counter-based generator. With γ = 0x9E3779B97F4A7C15 and
/// mix(z) = z' ⊕ (z' ≫ 31) where z' = ((z ⊕ (z ≫ 30))·0xBF58476D1CE4E5B9 then ⊕ ≫27 and ·0x94D049BB133111EB) (the SplitMix64 finalizer):
/// <list type="bullet">
/// <item>name hash h = FNV-1a 64 of the tensor name's UTF-8 bytes (offset 0xCBF29CE484222325, prime 0x100000001B3);</item>
/// <item>stream key k = mix(mix(mix(seed + γ) ⊕ h) + (model + 1)·γ);</item>
/// <item>draw for element e: u = (mix(k + (e + 1)·γ) ≫ 40) · 2⁻²⁴, uniform on the 2²⁴ multiples of 2⁻²⁴ in [0, 1).</item>
/// </list>
/// All arithmetic is modulo 2⁶⁴. A Bernoulli(p) keep is u &lt; p.
/// </summary>
public readonly struct CounterRandom
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;
    private readonly ulong key;

    /// <summary>The stream of model <paramref name="modelIndex"/> for tensor <paramref name="tensorName"/> under <paramref name="seed"/>.</summary>
    public CounterRandom(ulong seed, string tensorName, int modelIndex)
    {
        ArgumentNullException.ThrowIfNull(tensorName);
        key = Mix(Mix(Mix(seed + Gamma) ^ NameHash(tensorName)) + ((ulong)(uint)modelIndex + 1) * Gamma);
    }

    /// <summary>The stream's key (for the vector twin of the keep test in TaskVectorKernels).</summary>
    internal ulong Key => key;

    /// <summary>The golden-ratio increment between elements.</summary>
    internal const ulong Increment = Gamma;

    /// <summary>The uniform draw in [0, 1) for element <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Uniform(long index) => (Mix(key + ((ulong)index + 1) * Gamma) >> 40) * (1.0f / 16777216.0f);

    /// <summary>FNV-1a 64-bit hash of the UTF-8 bytes of <paramref name="name"/>.</summary>
    public static ulong NameHash(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ulong hash = 0xCBF29CE484222325UL;
        foreach (byte b in Encoding.UTF8.GetBytes(name))
        {
            hash ^= b;
            hash *= 0x100000001B3UL;
        }
        return hash;
    }

    /// <summary>The SplitMix64 finalizer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
