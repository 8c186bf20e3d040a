// Student-t quantiles against the standard one-sided 95 % table (3 decimals) and closed forms.
using Alloy.Evaluation.Metrics;

namespace Alloy.Evaluation.Tests.Metrics;

public class StudentTTests
{
    // t_{0.95, df} from the standard printed t table (one-sided 0.05, three decimals).
    public static TheoryData<double, double> TableValues() => new()
    {
        { 1, 6.314 }, { 2, 2.920 }, { 3, 2.353 }, { 4, 2.132 }, { 5, 2.015 }, { 6, 1.943 }, { 7, 1.895 },
        { 8, 1.860 }, { 9, 1.833 }, { 10, 1.812 }, { 11, 1.796 }, { 12, 1.782 }, { 13, 1.771 }, { 14, 1.761 },
        { 15, 1.753 }, { 16, 1.746 }, { 17, 1.740 }, { 18, 1.734 }, { 19, 1.729 }, { 20, 1.725 }, { 21, 1.721 },
        { 22, 1.717 }, { 23, 1.714 }, { 24, 1.711 }, { 25, 1.708 }, { 26, 1.706 }, { 27, 1.703 }, { 28, 1.701 },
        { 29, 1.699 }, { 30, 1.697 }, { 60, 1.671 }, { 120, 1.658 }, { double.PositiveInfinity, 1.645 },
    };

    [Theory]
    [MemberData(nameof(TableValues))]
    public void Upper_five_percent_point_matches_the_printed_table(double df, double table)
    {
        double t = StudentT.InverseCdf(0.95, df);
        Assert.True(Math.Abs(t - table) <= 0.0005 + 1e-12, $"df={df}: {t} vs table {table}");
    }

    [Fact]
    public void Closed_forms_for_one_and_two_degrees_of_freedom_hold()
    {
        // df = 1 is Cauchy: t_p = tan(π(p − ½)). df = 2: t_p = (2p − 1)/√(2p(1 − p)).
        Assert.Equal(Math.Tan(Math.PI * 0.45), StudentT.InverseCdf(0.95, 1), 1e-9);
        Assert.Equal(0.9 / Math.Sqrt(2 * 0.95 * 0.05), StudentT.InverseCdf(0.95, 2), 1e-9);
        Assert.Equal(0.98 / Math.Sqrt(2 * 0.99 * 0.01), StudentT.InverseCdf(0.99, 2), 1e-9);
        Assert.Equal(0.5 + Math.Atan(1.7) / Math.PI, StudentT.Cdf(1.7, 1), 1e-12);
    }

    [Fact]
    public void Normal_quantile_matches_known_digits()
    {
        Assert.Equal(1.6448536269514722, StudentT.InverseCdf(0.95, double.PositiveInfinity), 1e-9);
        Assert.Equal(1.959963984540054, StudentT.InverseCdf(0.975, double.PositiveInfinity), 1e-9);
        Assert.Equal(0.8413447460685429, StudentT.NormalCdf(1), 1e-12);
    }

    [Theory]
    [InlineData(0.05, 3)]
    [InlineData(0.2, 7.5)]
    [InlineData(0.999, 12)]
    [InlineData(0.6, 200)]
    public void Inverse_is_antisymmetric_and_round_trips(double p, double df)
    {
        double t = StudentT.InverseCdf(p, df);
        Assert.Equal(-t, StudentT.InverseCdf(1 - p, df), 1e-9);
        Assert.Equal(p, StudentT.Cdf(t, df), 1e-10);
    }

    [Fact]
    public void Invalid_arguments_give_NaN()
    {
        Assert.True(double.IsNaN(StudentT.InverseCdf(0, 5)));
        Assert.True(double.IsNaN(StudentT.InverseCdf(1, 5)));
        Assert.True(double.IsNaN(StudentT.InverseCdf(0.9, 0)));
        Assert.True(double.IsNaN(StudentT.InverseCdf(double.NaN, 5)));
        Assert.Equal(0, StudentT.InverseCdf(0.5, 5));
    }
}
