// The share of responses the token limit cut off (finish_reason "length").
// Counting only; graders already score these responses as wrong.
using Alloy.Evaluation.Graders;

namespace Alloy.Evaluation.Metrics;

/// <summary>Truncation rate = (responses with <see cref="ResponseFinish.Truncated"/>) / (responses); NaN when there are none.</summary>
public static class TruncationRate
{
    /// <summary>The truncation rate of the given finish reasons.</summary>
    public static double Compute(ReadOnlySpan<ResponseFinish> finishes)
    {
        if (finishes.IsEmpty) return double.NaN;
        int count = 0;
        foreach (var f in finishes) if (f == ResponseFinish.Truncated) count++;
        return (double)count / finishes.Length;
    }
}
