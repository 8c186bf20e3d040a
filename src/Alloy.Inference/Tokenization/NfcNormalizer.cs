// Unicode NFC (canonical decomposition, canonical ordering, canonical composition) over NfcTables.
// Needed because string.Normalize leaves non-ASCII text unchanged under InvariantGlobalization; not NFKC/NFD.
using System.Runtime.CompilerServices;
using System.Text;

namespace Alloy.Inference.Tokenization;

/// <summary>
/// Normalization Form C as defined by UAX #15: every code point is fully canonically decomposed (Hangul syllables
/// by formula), runs of non-starters are stably sorted by canonical combining class, then each character is
/// composed with the last starter when not blocked and a primary composite exists. Data: Unicode
/// <see cref="NfcTables.UnicodeVersion"/> (from Python's unicodedata); characters newer than that pass unchanged.
/// Input must hold no lone surrogates.
/// </summary>
internal static class NfcNormalizer
{
    private const int HangulSBase = 0xAC00, HangulLBase = 0x1100, HangulVBase = 0x1161, HangulTBase = 0x11A7;
    private const int HangulLCount = 19, HangulVCount = 21, HangulTCount = 28;
    private const int HangulNCount = HangulVCount * HangulTCount, HangulSCount = HangulLCount * HangulNCount;

    private static readonly Dictionary<int, int> DecompositionIndex = BuildDecompositionIndex();
    private static readonly Dictionary<int, byte> CombiningClass = BuildCombiningClass();
    private static readonly Dictionary<long, int> Composite = BuildComposite();

    /// <summary>
    /// BMP characters that can change under NFC or change a neighbour: those with a decomposition, a non-zero
    /// combining class, or that compose with a preceding character; surrogates (supplementary characters) too.
    /// A string with none of them is already NFC.
    /// </summary>
    private static readonly bool[] MayChange = BuildMayChange();

    private static readonly System.Buffers.SearchValues<char> MayChangeValues =
        System.Buffers.SearchValues.Create(Enumerable.Range(0, 0x10000).Where(c => MayChange[c]).Select(c => (char)c).ToArray());

    /// <summary>The NFC form of <paramref name="text"/> (the same instance when it is already NFC by quick check).</summary>
    /// <remarks>
    /// Only regions around characters that may change are rebuilt: a region starts at the character before the
    /// first such character (a starter that composes with nothing before it, or the text start) and ends before
    /// the next character that may not change (a starter that is never the second half of a composition, so
    /// nothing after it interacts with the region).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string Normalize(string text)
    {
        int first = text.AsSpan().IndexOfAny(MayChangeValues);
        if (first < 0)
        {
            return text;
        }
        var builder = new StringBuilder(text.Length + 8);
        var codePoints = new List<int>(32);
        int copied = 0;
        int position = first;
        while (position < text.Length)
        {
            int regionStart = Math.Max(copied, position - 1);
            int regionEnd = position;
            while (regionEnd < text.Length && MayChange[text[regionEnd]])
            {
                regionEnd++;
            }
            builder.Append(text, copied, regionStart - copied);
            NormalizeRegion(text.AsSpan(regionStart, regionEnd - regionStart), codePoints, builder);
            copied = regionEnd;
            int next = text.AsSpan(regionEnd).IndexOfAny(MayChangeValues);
            position = next < 0 ? text.Length : regionEnd + next;
        }
        builder.Append(text, copied, text.Length - copied);
        return builder.ToString();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NormalizeRegion(ReadOnlySpan<char> region, List<int> codePoints, StringBuilder output)
    {
        codePoints.Clear();
        for (int i = 0; i < region.Length; i++)
        {
            int cp = region[i];
            if (char.IsHighSurrogate(region[i]) && i + 1 < region.Length && char.IsLowSurrogate(region[i + 1]))
            {
                cp = char.ConvertToUtf32(region[i], region[i + 1]);
                i++;
            }
            Decompose(cp, codePoints);
        }
        SortNonStarterRuns(codePoints);
        Compose(codePoints);
        Span<char> pair = stackalloc char[2];
        foreach (int cp in codePoints)
        {
            int written = new Rune(cp).EncodeToUtf16(pair);
            output.Append(pair[..written]);
        }
    }

    private static void Decompose(int cp, List<int> output)
    {
        int s = cp - HangulSBase;
        if (s >= 0 && s < HangulSCount)
        {
            output.Add(HangulLBase + (s / HangulNCount));
            output.Add(HangulVBase + (s % HangulNCount / HangulTCount));
            int t = s % HangulTCount;
            if (t != 0)
            {
                output.Add(HangulTBase + t);
            }
            return;
        }
        if (DecompositionIndex.TryGetValue(cp, out int index))
        {
            for (int k = NfcTables.DecompositionOffsets[index]; k < NfcTables.DecompositionOffsets[index + 1]; k++)
            {
                output.Add(NfcTables.DecompositionValues[k]);
            }
            return;
        }
        output.Add(cp);
    }

    /// <summary>Stable insertion sort of each run of non-starters by combining class (canonical ordering).</summary>
    private static void SortNonStarterRuns(List<int> cps)
    {
        for (int i = 1; i < cps.Count; i++)
        {
            int cp = cps[i];
            int cc = ClassOf(cp);
            if (cc == 0)
            {
                continue;
            }
            int j = i;
            while (j > 0 && ClassOf(cps[j - 1]) > cc)
            {
                cps[j] = cps[j - 1];
                j--;
            }
            cps[j] = cp;
        }
    }

    private static void Compose(List<int> cps)
    {
        int write = 0;
        int starter = -1;
        int lastClass = 0;
        for (int read = 0; read < cps.Count; read++)
        {
            int cp = cps[read];
            int cc = ClassOf(cp);
            if (starter >= 0)
            {
                bool adjacent = write - 1 == starter;
                bool blocked = !adjacent && (lastClass == 0 || lastClass >= cc);
                if (!blocked && TryCompose(cps[starter], cp, out int composite))
                {
                    cps[starter] = composite;
                    continue;
                }
            }
            if (cc == 0)
            {
                starter = write;
            }
            lastClass = cc;
            cps[write++] = cp;
        }
        cps.RemoveRange(write, cps.Count - write);
    }

    private static bool TryCompose(int first, int second, out int composite)
    {
        int l = first - HangulLBase, v = second - HangulVBase;
        if (l >= 0 && l < HangulLCount && v >= 0 && v < HangulVCount)
        {
            composite = HangulSBase + (((l * HangulVCount) + v) * HangulTCount);
            return true;
        }
        int s = first - HangulSBase, t = second - HangulTBase;
        if (s >= 0 && s < HangulSCount && s % HangulTCount == 0 && t > 0 && t < HangulTCount)
        {
            composite = first + t;
            return true;
        }
        return Composite.TryGetValue(((long)first << 21) | (uint)second, out composite);
    }

    private static int ClassOf(int cp) => CombiningClass.TryGetValue(cp, out byte cc) ? cc : 0;

    private static Dictionary<int, int> BuildDecompositionIndex()
    {
        var index = new Dictionary<int, int>(NfcTables.DecompositionKeys.Length);
        for (int i = 0; i < NfcTables.DecompositionKeys.Length; i++)
        {
            index[NfcTables.DecompositionKeys[i]] = i;
        }
        return index;
    }

    private static Dictionary<int, byte> BuildCombiningClass()
    {
        var classes = new Dictionary<int, byte>(NfcTables.CombiningClassKeys.Length);
        for (int i = 0; i < NfcTables.CombiningClassKeys.Length; i++)
        {
            classes[NfcTables.CombiningClassKeys[i]] = NfcTables.CombiningClassValues[i];
        }
        return classes;
    }

    private static Dictionary<long, int> BuildComposite()
    {
        var composite = new Dictionary<long, int>(NfcTables.Compositions.Length / 3);
        for (int i = 0; i < NfcTables.Compositions.Length; i += 3)
        {
            composite[((long)NfcTables.Compositions[i] << 21) | (uint)NfcTables.Compositions[i + 1]] = NfcTables.Compositions[i + 2];
        }
        return composite;
    }

    private static bool[] BuildMayChange()
    {
        var mayChange = new bool[0x10000];
        IEnumerable<int> secondsOfPairs = NfcTables.Compositions.Where((_, i) => i % 3 == 1);
        foreach (int cp in NfcTables.DecompositionKeys.Concat(NfcTables.CombiningClassKeys).Concat(secondsOfPairs))
        {
            if (cp < 0x10000)
            {
                mayChange[cp] = true;
            }
        }
        for (int c = 0xD800; c <= 0xDFFF; c++)
        {
            mayChange[c] = true;
        }
        for (int c = HangulVBase; c < HangulVBase + HangulVCount; c++)
        {
            mayChange[c] = true;
        }
        for (int c = HangulTBase + 1; c < HangulTBase + HangulTCount; c++)
        {
            mayChange[c] = true;
        }
        return mayChange;
    }
}
