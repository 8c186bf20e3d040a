// A small deterministic random stream (xoshiro256** seeded through splitmix64) so a sample's draws depend only
// on its 64-bit seed, on every machine and .NET version. It is not cryptographic and not thread-safe.
namespace Alloy.Inference.Sampling;

/// <summary>
/// xoshiro256** (Blackman and Vigna) with its state filled from the seed by splitmix64. The same seed gives the
/// same sequence everywhere; distinct seeds give unrelated sequences.
/// </summary>
public sealed class SampleRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>A stream for <paramref name="seed"/> (any 64-bit value, 0 included).</summary>
    public SampleRandom(long seed)
    {
        var x = unchecked((ulong)seed);
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1): the top 53 bits of <see cref="NextUInt64"/> times 2⁻⁵³.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    private static ulong SplitMix(ref ulong x)
    {
        unchecked
        {
            x += 0x9E3779B97F4A7C15UL;
            var z = x;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
