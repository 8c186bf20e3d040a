// Quantiles of Student's t distribution (and the standard normal as df → ∞) for confidence intervals.
// Built from the regularized incomplete beta/gamma functions below; not a general statistics library.
namespace Alloy.Evaluation.Metrics;

/// <summary>
/// Student's t distribution with ν degrees of freedom.
/// CDF: for t ≥ 0, F(t) = 1 − ½·I_x(ν/2, ½) with x = ν/(ν+t²); F(−t) = 1 − F(t). I is the regularized incomplete
/// beta function (continued fraction, modified Lentz). The inverse CDF is found by bisection on F to an absolute
/// tolerance of 1e-12 in t. ν = +∞ (or ν &gt; 1e7) uses the standard normal, Φ(z) = ½(1 + sign(z)·P(½, z²/2)) with P
/// the regularized lower incomplete gamma function.
/// </summary>
public static class StudentT
{
    private const double NormalThreshold = 1e7;

    /// <summary>P(T ≤ t) for ν = <paramref name="degreesOfFreedom"/> (&gt; 0, may be +∞). NaN for NaN input.</summary>
    public static double Cdf(double t, double degreesOfFreedom)
    {
        if (double.IsNaN(t) || double.IsNaN(degreesOfFreedom) || degreesOfFreedom <= 0) return double.NaN;
        if (double.IsInfinity(t)) return t > 0 ? 1 : 0;
        if (degreesOfFreedom > NormalThreshold) return NormalCdf(t);
        double x = degreesOfFreedom / (degreesOfFreedom + t * t);
        double tail = 0.5 * SpecialFunctions.RegularizedIncompleteBeta(degreesOfFreedom / 2, 0.5, x);
        return t >= 0 ? 1 - tail : tail;
    }

    /// <summary>
    /// The t with P(T ≤ t) = <paramref name="probability"/>; e.g. InverseCdf(0.95, 10) ≈ 1.812 (the one-sided 95 %
    /// table value, and the half-width multiplier of a two-sided 90 % interval). NaN when p ∉ (0, 1) or ν ≤ 0.
    /// </summary>
    public static double InverseCdf(double probability, double degreesOfFreedom)
    {
        if (!(probability > 0 && probability < 1) || !(degreesOfFreedom > 0)) return double.NaN;
        if (probability == 0.5) return 0;
        double target = probability;
        double lo = 0, hi = 1;
        bool upper = target > 0.5;
        if (!upper) target = 1 - target;
        while (Cdf(hi, degreesOfFreedom) < target && hi < 1e12) { lo = hi; hi *= 2; }
        for (int i = 0; i < 200 && hi - lo > 1e-12 * Math.Max(1, hi); i++)
        {
            double mid = 0.5 * (lo + hi);
            if (Cdf(mid, degreesOfFreedom) < target) lo = mid; else hi = mid;
        }
        double t = 0.5 * (lo + hi);
        return upper ? t : -t;
    }

    /// <summary>Standard normal CDF Φ(z).</summary>
    public static double NormalCdf(double z)
    {
        if (double.IsNaN(z)) return double.NaN;
        double p = SpecialFunctions.RegularizedLowerIncompleteGamma(0.5, z * z / 2);
        return z >= 0 ? 0.5 * (1 + p) : 0.5 * (1 - p);
    }
}
