// Mean@k, its 90 % t-interval over sample indices and the standard error over problems, on hand-worked grids.
using Alloy.Evaluation.Metrics;

namespace Alloy.Evaluation.Tests.Metrics;

public class MeanAtKTests
{
    // Three problems × four samples:
    //   p0: 1 1 0 1    p1: 0 1 0 0    p2: 1 1 1 0
    // Per sample index: a = (2/3, 1, 1/3, 1/3); mean = 7/12.
    // Deviations from 7/12: (1, 5, −3, −3)/12; Σ squares = 44/144; sd² = 44/432 = 11/108; SE_j = √(11/108)/2 = √(11/432).
    // t_{0.95,3} = 2.353363434801832 (tools/fixtures/metrics/mean_at_k_reference.py; the printed table gives 2.353).
    // That script's interval for this grid: [0.207804342186360, 0.958862324480307].
    // Per-problem means (3/4, 1/4, 3/4): deviations (1, −2, 1)/6, sd² = (6/36)/2 = 1/12, SE_p = √(1/12)/√3 = 1/6.
    private static readonly bool[] Grid =
    [
        true, true, false, true,
        false, true, false, false,
        true, true, true, false,
    ];

    [Fact]
    public void Hand_worked_grid_gives_the_expected_mean_interval_and_errors()
    {
        var r = MeanAtK.Compute(Grid, problems: 3, samples: 4);
        double se = Math.Sqrt(11.0 / 432);
        double half = 2.353363434801832 * se;
        Assert.Equal(7.0 / 12, r.Mean, 1e-12);
        Assert.Equal(se, r.SampleIndexStandardError, 1e-12);
        Assert.Equal(7.0 / 12 - half, r.IntervalLow, 1e-9);
        Assert.Equal(7.0 / 12 + half, r.IntervalHigh, 1e-9);
        Assert.Equal(1.0 / 6, r.ProblemStandardError, 1e-12);
        Assert.Equal(0.207804342186360, r.IntervalLow, 1e-9);
        Assert.Equal(0.958862324480307, r.IntervalHigh, 1e-9);
        Assert.Equal(3, r.Problems);
        Assert.Equal(4, r.Samples);
    }

    [Fact]
    public void Accuracy_per_sample_index_is_the_column_mean()
    {
        var scores = Grid.Select(b => b ? 1.0 : 0.0).ToArray();
        var a = new double[4];
        MeanAtK.AccuracyPerSampleIndex(scores, 3, 4, a);
        Assert.Equal([2.0 / 3, 1.0, 1.0 / 3, 1.0 / 3], a.Select(x => Math.Round(x, 12)).ToArray(), (x, y) => Math.Abs(x - Math.Round(y, 12)) < 1e-12);
    }

    [Fact]
    public void Identical_columns_give_a_zero_width_interval()
    {
        bool[] grid = [true, true, false, false, true, true];
        var r = MeanAtK.Compute(grid, 3, 2);
        Assert.Equal(2.0 / 3, r.Mean, 1e-12);
        Assert.Equal(r.Mean, r.IntervalLow, 1e-12);
        Assert.Equal(r.Mean, r.IntervalHigh, 1e-12);
    }

    [Fact]
    public void One_sample_has_no_interval_and_one_problem_no_problem_error()
    {
        var one = MeanAtK.Compute([true, false, true], 3, 1);
        Assert.Equal(2.0 / 3, one.Mean, 1e-12);
        Assert.True(double.IsNaN(one.IntervalLow) && double.IsNaN(one.IntervalHigh));
        var single = MeanAtK.Compute([true, false], 1, 2);
        Assert.True(double.IsNaN(single.ProblemStandardError));
    }

    [Fact]
    public void Wrong_grid_size_throws()
    {
        Assert.Throws<ArgumentException>(() => MeanAtK.Compute(new bool[5], 2, 3));
        Assert.Throws<ArgumentException>(() => MeanAtK.Compute(new bool[0], 0, 3));
    }
}
