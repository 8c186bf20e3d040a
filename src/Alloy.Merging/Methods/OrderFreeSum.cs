// A sum of a few values whose result does not depend on the order they come in (so model order cannot flip a sign
// election). Used per element by the sign-consensus methods; not a general-purpose accurate summation.
namespace Alloy.Merging.Methods;

/// <summary>Sums of per-model values in a canonical order.</summary>
internal static class OrderFreeSum
{
    /// <summary>
    /// Σ values in fp64, adding in ascending (|v|, v) order. Floating-point addition is not associative, so summing
    /// three or more deltas in input order can turn an exactly cancelling sum into +0 or a tiny negative number depending on
    /// model order; summing the sorted multiset gives one answer for every order. <paramref name="work"/> must be as long as values.
    /// </summary>
    public static double Sum(ReadOnlySpan<float> values, Span<float> work)
    {
        if (values.Length <= 2)
        {
            double s = 0;
            foreach (float v in values) s += v;
            return s;
        }
        Span<float> sorted = work[..values.Length];
        values.CopyTo(sorted);
        for (int i = 1; i < sorted.Length; i++)
        {
            float item = sorted[i];
            int j = i - 1;
            while (j >= 0 && Before(item, sorted[j]))
            {
                sorted[j + 1] = sorted[j];
                j--;
            }
            sorted[j + 1] = item;
        }
        double sum = 0;
        foreach (float v in sorted) sum += v;
        return sum;
    }

    private static bool Before(float a, float b)
    {
        float ma = Math.Abs(a), mb = Math.Abs(b);
        return ma < mb || (ma == mb && a < b);
    }
}
