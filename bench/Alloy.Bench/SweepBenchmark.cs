// Macro benchmark `sweep`: an 11-point linear sweep (λ = 0, 0.1, …, 1) of the twin fixture over the embedded backend
// with in-memory merges, reporting the share of wall time spent building merged weights against the 10 % target.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Alloy.Analysis.Sweep;

namespace Alloy.Bench;

internal static class SweepBenchmark
{
    /// <summary>args: [twin folder (default tests/fixtures/twin)] [samples per problem (default 2)].</summary>
    public static int Run(string[] args)
    {
        var twin = Path.GetFullPath(args.Length > 0 ? args[0] : Path.Combine("tests", "fixtures", "twin"));
        var samples = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        if (!File.Exists(Path.Combine(twin, "thinking", "config.json")))
        {
            Console.Error.WriteLine($"sweep benchmark: no twin at {twin}; run from the repository root or pass the twin folder");
            return 2;
        }
        var run = Path.Combine(Path.GetTempPath(), "alloy-bench-sweep-" + Guid.NewGuid().ToString("N"));
        try
        {
            string Q(string p) => "'" + p + "'";
            var yaml = $"""
                models:
                  thinking: {Q(Path.Combine(twin, "thinking"))}
                  instruct: {Q(Path.Combine(twin, "instruct"))}
                methods:
                  - method: linear
                    lambda: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]
                benchmarks:
                  - name: {Q(Path.Combine(twin, "eval.jsonl"))}
                    grader: number
                    samples: {samples}
                generation: {"{"} preset: qwen3-thinking, max_tokens: 384, seed: 0 {"}"}
                """;
            var spec = SweepSpecParser.Parse(yaml, "bench-sweep.yml", twin);
            Console.WriteLine($"sweep benchmark: 11-point linear sweep of {twin}, {samples} samples per problem, embedded backend, in-memory merges");
            Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");
            var evaluator = new EmbeddedVariantEvaluator(new EmbeddedEvaluatorOptions(twin));
            var clock = Stopwatch.StartNew();
            var result = new SweepRunner(evaluator).RunAsync(spec, new SweepRunOptions(run)).GetAwaiter().GetResult();
            clock.Stop();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wall {clock.Elapsed.TotalSeconds:0.00} s: building variants {result.BuildTime.TotalSeconds:0.000} s, evaluation {result.EvaluationTime.TotalSeconds:0.00} s, report and rest {(clock.Elapsed - result.BuildTime - result.EvaluationTime).TotalSeconds:0.00} s"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"build share {100 * result.BuildShare:0.00} % of build + evaluation (target < 10 %: {(result.BuildShare < 0.10 ? "met" : "not met")}, ratio to target {result.BuildShare / 0.10:0.000})"));
            return 0;
        }
        finally
        {
            if (Directory.Exists(run))
                Directory.Delete(run, recursive: true);
        }
    }
}
