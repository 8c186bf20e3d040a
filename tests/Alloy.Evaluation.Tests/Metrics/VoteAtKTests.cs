// Vote@k majority, tie-breaking by earliest first vote, null keys, and the first-k window.
using Alloy.Evaluation.Metrics;

namespace Alloy.Evaluation.Tests.Metrics;

public class VoteAtKTests
{
    [Fact]
    public void Majority_answer_decides_the_problem()
    {
        string?[] keys = ["5", "3", "5", "4"];
        bool[] correct = [true, false, true, false];
        Assert.Equal(1.0, VoteAtK.Compute(keys, correct, 1, 4, 4));
        Assert.Equal(0, VoteAtK.MajorityIndex(keys));
    }

    [Fact]
    public void Ties_go_to_the_answer_voted_first()
    {
        string?[] keys = ["3", "5", "5", "3"];
        Assert.Equal(0, VoteAtK.MajorityIndex(keys));
        Assert.Equal(0.0, VoteAtK.Compute(keys, [false, true, true, false], 1, 4, 4));
        string?[] other = ["5", "3", "3", "5"];
        Assert.Equal(1.0, VoteAtK.Compute(other, [true, false, false, true], 1, 4, 4));
    }

    [Fact]
    public void Missing_answers_cast_no_vote()
    {
        string?[] keys = [null, null, "7", null];
        Assert.Equal(2, VoteAtK.MajorityIndex(keys));
        Assert.Equal(-1, VoteAtK.MajorityIndex([null, null]));
        Assert.Equal(0.5, VoteAtK.Compute([null, null, "7", null], [false, false, true, false], 2, 2, 2));
    }

    [Fact]
    public void Only_the_first_k_samples_vote_and_keys_ignore_case()
    {
        string?[] keys = ["a", "B", "b", "a", "A"];
        bool[] correct = [true, false, false, true, true];
        Assert.Equal(0.0, VoteAtK.Compute(keys, correct, 1, 5, 3));
        Assert.Equal(1.0, VoteAtK.Compute(keys, correct, 1, 5, 5));
    }

    [Fact]
    public void Mean_over_problems()
    {
        string?[] keys = ["1", "1", "2", "2", "3", "4"];
        bool[] correct = [true, true, false, false, false, true];
        // p0 votes 1 (correct); p1 votes 2 (wrong); p2 ties 3/4 → 3 (wrong).
        Assert.Equal(1.0 / 3, VoteAtK.Compute(keys, correct, 3, 2, 2), 1e-12);
    }
}
