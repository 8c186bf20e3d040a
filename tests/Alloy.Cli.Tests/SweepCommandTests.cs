// `alloy sweep --dry-run`: parses and expands the spec and plans every variant on tiny models; spec errors exit 2 with
// their position; without a wired evaluator a real run exits 1 with a message.
namespace Alloy.Cli.Tests;

public sealed class SweepCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string WriteSpec(string methods)
    {
        string instruct = TestPaths.Fixtures("inference", "qwen3-tied-f32");
        string thinking = _temp.Sub("thinking");
        Directory.CreateDirectory(thinking);
        foreach (string file in new[] { "config.json", "model.safetensors" })
            File.Copy(Path.Combine(instruct, file), Path.Combine(thinking, file));
        string spec = _temp.File("sweep.yml");
        File.WriteAllText(spec, $"models:\n  thinking: thinking\n  instruct: '{instruct}'\n{methods}benchmarks:\n  - name: aime25\n    samples: 4\noutput: runs/tiny\n");
        return spec;
    }

    [Fact]
    public void Dry_run_prints_every_variant_with_its_plan()
    {
        string spec = WriteSpec("methods:\n  - method: linear\n    lambda: [0, 0.5, 1]\n  - method: linear\n    lambda: [0.8]\n    layers: 1-1\n    modules: [mlp]\n");

        CliResult result = CliRunner.Run("sweep", spec, "--dry-run");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"sweep: 4 variants × 1 benchmarks = 4 evaluations, backend embedded, run folder {_temp.Sub("runs/tiny")}", result.Stdout, StringComparison.Ordinal);
        string[] lines = result.Stdout.Split('\n');
        Assert.Contains(lines, l => l.TrimStart().StartsWith("instruct ", StringComparison.Ordinal) && l.Contains("parent, served from its checkpoint", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.TrimStart().StartsWith("linear-l0.50 ", StringComparison.Ordinal) && l.Contains("merge in memory", StringComparison.Ordinal));
        // The scoped ablation merges only layer 1's three MLP matrices; the rest is copied from instruct.
        Assert.Contains(lines, l => l.TrimStart().StartsWith("linear-l0.80-layers1-1-mlp ", StringComparison.Ordinal) && l.Contains("merge in memory: 3 of", StringComparison.Ordinal));
        Assert.False(Directory.Exists(_temp.Sub("runs")));
    }

    [Fact]
    public void Spec_errors_exit_2_with_their_position_and_a_run_without_evaluator_exits_1()
    {
        string spec = WriteSpec("methods:\n  - method: linear\n    lambda: [2]\n");

        CliResult bad = CliRunner.Run("sweep", spec, "--dry-run");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("sweep.yml:6:14:", bad.Stderr, StringComparison.Ordinal);

        File.WriteAllText(spec, File.ReadAllText(spec).Replace("[2]", "[0.5]", StringComparison.Ordinal));
        CliResult run = CliRunner.Run("sweep", spec);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("evaluator is not wired", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, CliRunner.Run("sweep", _temp.File("missing.yml")).ExitCode);
    }
}
