// Log-gamma and the regularized incomplete beta and gamma functions, for the t and normal distributions.
// Textbook series/continued-fraction methods at double precision; nothing else lives here.
namespace Alloy.Evaluation.Metrics;

/// <summary>Special functions used by <see cref="StudentT"/>.</summary>
internal static class SpecialFunctions
{
    private const double Epsilon = 1e-16;
    private const int MaxIterations = 10_000;

    private static readonly double[] LanczosCoefficients =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos approximation, g = 7, nine terms; relative error ≈ 1e-15).</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        x -= 1;
        double sum = LanczosCoefficients[0];
        for (int i = 1; i < LanczosCoefficients.Length; i++) sum += LanczosCoefficients[i] / (x + i);
        double t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }

    /// <summary>I_x(a, b) = B(x; a, b)/B(a, b) for 0 ≤ x ≤ 1, a, b &gt; 0, by the continued fraction on the side where it converges.</summary>
    public static double RegularizedIncompleteBeta(double a, double b, double x)
    {
        if (double.IsNaN(x) || x < 0 || x > 1) return double.NaN;
        if (x == 0) return 0;
        if (x == 1) return 1;
        double logFront = LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x);
        double front = Math.Exp(logFront);
        return x < (a + 1) / (a + b + 2)
            ? front * BetaContinuedFraction(a, b, x) / a
            : 1 - front * BetaContinuedFraction(b, a, 1 - x) / b;
    }

    private static double BetaContinuedFraction(double a, double b, double x)
    {
        const double tiny = 1e-300;
        double qab = a + b, qap = a + 1, qam = a - 1;
        double c = 1, d = 1 - qab * x / qap;
        if (Math.Abs(d) < tiny) d = tiny;
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= MaxIterations; m++)
        {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d; if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + aa / c; if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d; if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + aa / c; if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Epsilon) break;
        }
        return h;
    }

    /// <summary>P(a, x) = γ(a, x)/Γ(a) for a &gt; 0, x ≥ 0: power series for x &lt; a + 1, continued fraction otherwise.</summary>
    public static double RegularizedLowerIncompleteGamma(double a, double x)
    {
        if (double.IsNaN(x) || x < 0) return double.NaN;
        if (x == 0) return 0;
        if (double.IsPositiveInfinity(x)) return 1;
        double logFront = -x + a * Math.Log(x) - LogGamma(a);
        if (x < a + 1)
        {
            double term = 1 / a, sum = term;
            for (int n = 1; n <= MaxIterations; n++)
            {
                term *= x / (a + n);
                sum += term;
                if (Math.Abs(term) < Math.Abs(sum) * Epsilon) break;
            }
            return sum * Math.Exp(logFront);
        }
        const double tiny = 1e-300;
        double bCoefficient = x + 1 - a, c = 1 / tiny, d = 1 / bCoefficient, h = d;
        for (int i = 1; i <= MaxIterations; i++)
        {
            double an = -i * (i - a);
            bCoefficient += 2;
            d = an * d + bCoefficient; if (Math.Abs(d) < tiny) d = tiny;
            c = bCoefficient + an / c; if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Epsilon) break;
        }
        return 1 - Math.Exp(logFront) * h;
    }
}
