// Think#R: the share of responses that contain "</think>" (the model closed a thinking block).
// Counting only; ResponseParts decides what "thought" means.
using Alloy.Evaluation.Graders;

namespace Alloy.Evaluation.Metrics;

/// <summary>Think#R = (number of responses containing <c>&lt;/think&gt;</c>) / (number of responses); NaN when there are none.</summary>
public static class ThinkRatio
{
    /// <summary>Think#R from per-response flags (true = the response contained <c>&lt;/think&gt;</c>).</summary>
    public static double Compute(ReadOnlySpan<bool> thought) => Share(thought);

    /// <summary>Think#R from the response texts themselves.</summary>
    public static double FromResponses(IReadOnlyList<string> responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        if (responses.Count == 0) return double.NaN;
        int count = 0;
        foreach (string r in responses) if (ResponseParts.ContainsThinkEnd(r)) count++;
        return (double)count / responses.Count;
    }

    internal static double Share(ReadOnlySpan<bool> flags)
    {
        if (flags.IsEmpty) return double.NaN;
        int count = 0;
        foreach (bool f in flags) if (f) count++;
        return (double)count / flags.Length;
    }
}
