// Token statistics (NumPy-style linear percentiles), Think#R, truncation rate, reflection keywords, level breakdown.
using Alloy.Evaluation.Graders;
using Alloy.Evaluation.Metrics;

namespace Alloy.Evaluation.Tests.Metrics;

public class RatesAndStatisticsTests
{
    [Fact]
    public void Token_summary_uses_linear_interpolation_percentiles()
    {
        // numpy.percentile(range(1, 11), 90) = 9.1; median of 1..10 = 5.5.
        var s = TokenStatistics.Summarize([7, 3, 10, 1, 5, 2, 9, 4, 8, 6]);
        Assert.Equal(10, s.Count);
        Assert.Equal(5.5, s.Mean, 1e-12);
        Assert.Equal(5.5, s.Median, 1e-12);
        Assert.Equal(9.1, s.P90, 1e-12);
        Assert.Equal(1, s.Min);
        Assert.Equal(10, s.Max);
        // Two values: h = 0.9 → 10 + 0.9·10 = 19.
        Assert.Equal(19, TokenStatistics.Summarize([20, 10]).P90, 1e-12);
        Assert.Equal(42, TokenStatistics.Summarize([42]).P90);
        Assert.True(double.IsNaN(TokenStatistics.Summarize([]).Mean));
    }

    [Fact]
    public void Think_ratio_counts_responses_with_a_closing_tag()
    {
        Assert.Equal(0.5, ThinkRatio.FromResponses(["<think>a</think>b", "no tag", "</think>", "<think>open"]));
        Assert.Equal(2.0 / 3, ThinkRatio.Compute([true, false, true]), 1e-12);
        Assert.True(double.IsNaN(ThinkRatio.Compute([])));
    }

    [Fact]
    public void Truncation_rate_counts_length_finishes()
    {
        Assert.Equal(0.25, TruncationRate.Compute([ResponseFinish.Stopped, ResponseFinish.Truncated, ResponseFinish.Stopped, ResponseFinish.Stopped]));
    }

    [Fact]
    public void Reflection_keywords_match_whole_words_case_insensitively()
    {
        Assert.Equal(5, ReflectionKeywords.Count("Wait, let me verify. Hmm... I should double-check. Alternatively, x."));
        Assert.Equal(0, ReflectionKeywords.Count("awaiting verification; the hmmer tool"));
        Assert.Equal(2, ReflectionKeywords.Count("WAIT. Hmmm."));
        Assert.Equal(1, ReflectionKeywords.Count("Let me check this."));
        Assert.Equal(0.5, ReflectionKeywords.Rate(["wait", "fine"]));
        Assert.Equal(1.5, ReflectionKeywords.MeanCount(["wait wait", "but wait"]));
    }

    [Fact]
    public void Level_breakdown_averages_each_level_in_order()
    {
        var rows = LevelBreakdown.Compute<int>([3, 1, 3, 2], [1.0, 0.0, 0.5, 1.0]);
        Assert.Equal([new LevelScore<int>(1, 1, 0.0), new LevelScore<int>(2, 1, 1.0), new LevelScore<int>(3, 2, 0.75)], rows);
        Assert.Throws<ArgumentException>(() => LevelBreakdown.Compute<int>([1], [1.0, 2.0]));
    }
}
