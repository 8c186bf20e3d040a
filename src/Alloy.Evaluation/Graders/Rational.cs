// An exact rational number (BigInteger numerator over a positive denominator) for the math grader.
// It is not a general-purpose numeric type: only the operations the answer evaluator needs, with size caps.
using System.Numerics;

namespace Alloy.Evaluation.Graders;

/// <summary>
/// An exact fraction n/d in lowest terms with d &gt; 0. Operations that would exceed
/// <see cref="MaxBits"/> bits in numerator or denominator report failure instead of growing without bound.
/// </summary>
internal readonly struct Rational : IEquatable<Rational>
{
    /// <summary>Largest numerator or denominator size, in bits, that exact arithmetic keeps.</summary>
    public const int MaxBits = 4096;

    public BigInteger Numerator { get; }
    public BigInteger Denominator { get; }

    private Rational(BigInteger numerator, BigInteger denominator)
    {
        Numerator = numerator;
        Denominator = denominator;
    }

    public static Rational FromInteger(BigInteger value) => new(value, BigInteger.One);

    /// <summary>Builds n/d in lowest terms; false when d is zero or a part is too large.</summary>
    public static bool TryCreate(BigInteger numerator, BigInteger denominator, out Rational result)
    {
        result = default;
        if (denominator.IsZero) return false;
        if (denominator.Sign < 0) { numerator = -numerator; denominator = -denominator; }
        var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!gcd.IsOne && !gcd.IsZero) { numerator /= gcd; denominator /= gcd; }
        if (numerator.GetBitLength() > MaxBits || denominator.GetBitLength() > MaxBits) return false;
        result = new Rational(numerator, denominator);
        return true;
    }

    public bool IsZero => Numerator.IsZero;
    public bool IsInteger => Denominator.IsOne;

    public static bool TryAdd(Rational a, Rational b, out Rational r) =>
        TryCreate(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator, out r);

    public static bool TrySubtract(Rational a, Rational b, out Rational r) =>
        TryCreate(a.Numerator * b.Denominator - b.Numerator * a.Denominator, a.Denominator * b.Denominator, out r);

    public static bool TryMultiply(Rational a, Rational b, out Rational r) =>
        TryCreate(a.Numerator * b.Numerator, a.Denominator * b.Denominator, out r);

    public static bool TryDivide(Rational a, Rational b, out Rational r)
    {
        r = default;
        return !b.IsZero && TryCreate(a.Numerator * b.Denominator, a.Denominator * b.Numerator, out r);
    }

    public Rational Negate() => new(-Numerator, Denominator);

    /// <summary>a^e for an integer exponent; false when the result would pass <see cref="MaxBits"/> or 0^negative.</summary>
    public static bool TryPower(Rational a, long exponent, out Rational r)
    {
        r = default;
        if (exponent == 0) { r = FromInteger(BigInteger.One); return true; }
        if (a.IsZero) { if (exponent < 0) return false; r = a; return true; }
        long magnitude = Math.Abs(exponent);
        long bits = Math.Max(a.Numerator.GetBitLength(), a.Denominator.GetBitLength());
        if (magnitude > MaxBits || bits * magnitude > MaxBits + magnitude) return false;
        var n = BigInteger.Pow(a.Numerator, (int)magnitude);
        var d = BigInteger.Pow(a.Denominator, (int)magnitude);
        return exponent > 0 ? TryCreate(n, d, out r) : TryCreate(d, n, out r);
    }

    /// <summary>The exact square root when numerator and denominator are perfect squares (and n ≥ 0).</summary>
    public bool TrySquareRoot(out Rational r)
    {
        r = default;
        if (Numerator.Sign < 0) return false;
        var n = IntegerSquareRoot(Numerator);
        var d = IntegerSquareRoot(Denominator);
        if (n * n != Numerator || d * d != Denominator) return false;
        r = new Rational(n, d);
        return true;
    }

    private static BigInteger IntegerSquareRoot(BigInteger value)
    {
        if (value < 2) return value;
        // Newton's iteration from an over-estimate converges monotonically down to floor(sqrt).
        var x = BigInteger.One << (int)((value.GetBitLength() + 1) / 2);
        while (true)
        {
            var y = (x + value / x) >> 1;
            if (y >= x) return x;
            x = y;
        }
    }

    public double ToDouble()
    {
        double n = (double)Numerator, d = (double)Denominator;
        if (!double.IsInfinity(n) && !double.IsInfinity(d)) return n / d;
        // Both huge: scale down by the common excess bits before dividing.
        long shift = Math.Max(Numerator.GetBitLength(), Denominator.GetBitLength()) - 1000;
        return (double)(Numerator >> (int)shift) / (double)(Denominator >> (int)shift);
    }

    public bool Equals(Rational other) => Numerator == other.Numerator && Denominator == other.Denominator;
    public override bool Equals(object? obj) => obj is Rational other && Equals(other);
    public override int GetHashCode() => HashCode.Combine(Numerator, Denominator);
    public override string ToString() => IsInteger ? Numerator.ToString() : $"{Numerator}/{Denominator}";
}
