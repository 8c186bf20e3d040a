// Registry of macro benchmarks: whole-workload runs that print a figure and its ratio to a floor.
// Each macro lives in its own file and registers here by name.
namespace Alloy.Bench;

internal static class MacroBenchmarks
{
    private static readonly Dictionary<string, Func<string[], int>> Macros = new(StringComparer.Ordinal)
    {
        ["io"] = IoBenchmark.Run,
        ["merge"] = MergeBenchmark.Run,
        ["decode"] = DecodeBenchmark.Run,
        ["sweep"] = SweepBenchmark.Run,
        ["serve"] = ServeBenchmark.Run,
    };

    public static bool TryRun(string name, string[] args, out int exitCode)
    {
        if (Macros.TryGetValue(name, out var run))
        {
            exitCode = run(args);
            return true;
        }
        exitCode = 0;
        return false;
    }
}
