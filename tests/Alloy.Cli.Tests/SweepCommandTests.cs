// `alloy sweep --dry-run`: parses and expands the spec and plans every variant on tiny models; spec errors exit 2 with
// their position; a real run on tiny chat models through the embedded engine writes every pair, the spectrum and the
// report, and a resumed run reuses them.
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
    public void Spec_errors_exit_2_with_their_position()
    {
        string spec = WriteSpec("methods:\n  - method: linear\n    lambda: [2]\n");

        CliResult bad = CliRunner.Run("sweep", spec, "--dry-run");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("sweep.yml:6:14:", bad.Stderr, StringComparison.Ordinal);

        Assert.Equal(2, CliRunner.Run("sweep", _temp.File("missing.yml")).ExitCode);
    }

    [Fact]
    public void A_real_sweep_on_the_embedded_engine_evaluates_every_pair_and_resumes()
    {
        string instruct = TinyChatModel.Create(_temp.Sub("instruct"));
        string thinking = TinyChatModel.Create(_temp.Sub("thinking"), "qwen3-tied-f32");
        string bench = _temp.File("add.jsonl");
        File.WriteAllLines(bench, ["{\"id\": \"a\", \"question\": \"1 + 1?\", \"answer\": \"2\"}", "{\"id\": \"b\", \"question\": \"2 + 2?\", \"answer\": \"4\"}"]);
        string spec = _temp.File("real.yml");
        File.WriteAllText(spec, "models:\n  thinking: thinking\n  instruct: instruct\nmethods:\n  - method: linear\n    lambda: [0.5]\n"
            + "benchmarks:\n  - name: add.jsonl\n    grader: number\n    samples: 2\ngeneration: { preset: greedy, max_tokens: 4, seed: 0 }\noutput: runs/real\n");

        CliResult run = CliRunner.Run("sweep", spec);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        Assert.Contains("sweep: 3 evaluated, 0 reused", run.Stdout, StringComparison.Ordinal);
        string folder = _temp.Sub("runs/real");
        foreach (string variant in new[] { "instruct", "thinking", "linear-l0.50" })
            Assert.True(File.Exists(Path.Combine(folder, "variants", variant, "add", "samples.jsonl")), variant);
        string csv = File.ReadAllText(Path.Combine(folder, "spectrum.csv"));
        Assert.Contains("linear-l0.50,linear,0.5", csv, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "report.html")));

        CliResult again = CliRunner.Run("sweep", spec, "--resume");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("sweep: 0 evaluated, 3 reused", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void An_openai_sweep_serves_each_variant_with_alloy_serve_in_its_own_process()
    {
        string instruct = TinyChatModel.Create(_temp.Sub("instruct"));
        string thinking = TinyChatModel.Create(_temp.Sub("thinking"));
        string bench = _temp.File("add.jsonl");
        File.WriteAllLines(bench, ["{\"id\": \"a\", \"question\": \"1 + 1?\", \"answer\": \"2\"}"]);
        string alloy = Path.Combine(AppContext.BaseDirectory, "alloy.dll");
        string spec = _temp.File("served.yml");
        File.WriteAllText(spec, "models:\n  thinking: thinking\n  instruct: instruct\nmethods:\n  - method: linear\n    lambda: [0.5]\n"
            + "benchmarks:\n  - name: add.jsonl\n    grader: number\n    samples: 2\ngeneration: { preset: greedy, max_tokens: 4, seed: 0 }\n"
            + $"backend:\n  type: openai\n  serve: \"dotnet '{alloy}' serve {{model}} --port {{port}}\"\noutput: runs/served\n");

        CliResult run = CliRunner.Run("sweep", spec);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        Assert.Contains("sweep: 3 evaluated, 0 reused", run.Stdout, StringComparison.Ordinal);
        string folder = _temp.Sub("runs/served");
        foreach (string variant in new[] { "instruct", "thinking", "linear-l0.50" })
        {
            Assert.True(File.Exists(Path.Combine(folder, "variants", variant, "add", "metrics.json")), variant);
            Assert.Contains("starting: dotnet", File.ReadAllText(Path.Combine(folder, "variants", variant, "serve.log")), StringComparison.Ordinal);
        }
        // The merged folder was written for the server, then removed once evaluated.
        Assert.False(Directory.Exists(Path.Combine(folder, "models", "linear-l0.50")));
        using (var metrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "variants", "linear-l0.50", "add", "metrics.json"))))
            Assert.Equal("openai", metrics.RootElement.GetProperty("settings").GetProperty("backend").GetString());

        // The served greedy answers equal the embedded engine's on the same merge.
        string embeddedSpec = _temp.File("embedded.yml");
        File.WriteAllText(embeddedSpec, File.ReadAllText(spec).Split("backend:")[0] + "output: runs/embedded\n");
        Assert.Equal(0, CliRunner.Run("sweep", embeddedSpec).ExitCode);
        string Responses(string run, string variant) => string.Join("\n", File.ReadAllLines(_temp.File($"runs/{run}/variants/{variant}/add/samples.jsonl"))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("response").GetString()));
        Assert.Equal(Responses("embedded", "linear-l0.50"), Responses("served", "linear-l0.50"));
    }
}
