// Benchmarks: `dotnet run -c Release --project bench/Alloy.Bench -- <macro-name> [args]` runs a macro
// benchmark (whole-file throughput against a floor measured in the same run); anything else goes to
// BenchmarkDotNet's switcher (micro benchmarks of kernels).
using BenchmarkDotNet.Running;

namespace Alloy.Bench;

internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length > 0 && MacroBenchmarks.TryRun(args[0], args[1..], out var exitCode))
            return exitCode;
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
