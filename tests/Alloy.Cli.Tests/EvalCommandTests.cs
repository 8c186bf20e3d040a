// `alloy eval` with the embedded engine on the tiny Qwen3 fixture: files and metrics of a run, responses equal to the
// engine's own greedy generation, resume (in process and after a killed process), and bad input as exit code 2.
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alloy.Inference.Backends;

namespace Alloy.Cli.Tests;

public class EvalCommandTests
{
    private static string Problems(TempFolder temp, int count)
    {
        var path = temp.File("add.jsonl");
        File.WriteAllLines(path, Enumerable.Range(0, count).Select(i =>
            new JsonObject { ["id"] = $"p{i}", ["question"] = $"What is {i} + {i}?", ["answer"] = $"{2 * i}" }.ToJsonString()));
        return path;
    }

    [Fact]
    public async Task A_run_writes_metrics_and_samples_equal_to_the_engines_generation_and_a_rerun_reuses_them()
    {
        using var temp = new TempFolder();
        var model = TinyChatModel.Create(temp.Sub("m"));
        var bench = Problems(temp, 3);
        var run = temp.Sub("run");
        string[] args = ["eval", model, "--bench", bench, "--grader", "number", "--samples", "2", "--max-tokens", "6", "--preset", "greedy", "-o", run];
        var result = CliRunner.Run(args);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("6 samples generated", result.Stdout, StringComparison.Ordinal);

        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")))!;
        Assert.Equal(3, metrics["problems"]!.GetValue<int>());
        Assert.Equal(2, metrics["samples"]!.GetValue<int>());
        Assert.Equal(model, metrics["model"]!.GetValue<string>());
        Assert.Equal("embedded", metrics["settings"]!["backend"]!.GetValue<string>());
        Assert.Equal(6, metrics["settings"]!["max_tokens"]!.GetValue<int>());
        Assert.InRange(metrics["mean_tokens"]!.GetValue<double>(), 1, 6);
        var lines = File.ReadAllLines(Path.Combine(run, "samples.jsonl")).Select(l => JsonNode.Parse(l)!).ToArray();
        Assert.Equal(6, lines.Length);

        using var generator = EmbeddedGenerator.Open(model);
        var expected = (await generator.GenerateAsync(new GenerationRequest(
            GenerationPrompt.User("What is 1 + 1?\nPlease reason step by step, and put your final answer within \\boxed{}."),
            new GenerationSettings(0, 1, 0, 0, 0, 6, [], 0, null), 1, 0), CancellationToken.None))[0];
        var stored = lines.Single(l => l["id"]!.GetValue<string>() == "p1" && l["sample"]!.GetValue<int>() == 0);
        Assert.Equal(expected.Text, stored["response"]!.GetValue<string>());
        Assert.Equal(expected.CompletionTokens, stored["completion_tokens"]!.GetValue<int>());

        var again = CliRunner.Run(args);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("0 samples generated", again.Stdout, StringComparison.Ordinal);
        Assert.Contains("6 reused", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_input_is_exit_code_2_with_a_message_naming_what_is_wrong()
    {
        using var temp = new TempFolder();
        var model = TinyChatModel.Create(temp.Sub("m"));
        var bench = Problems(temp, 2);
        var run = temp.Sub("run");

        var missing = CliRunner.Run("eval", model, "--bench", temp.File("none.jsonl"), "-o", run);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("none.jsonl", missing.Stderr, StringComparison.Ordinal);

        var preset = CliRunner.Run("eval", model, "--bench", bench, "--preset", "hot", "-o", run);
        Assert.Equal(2, preset.ExitCode);
        Assert.Contains("qwen3-thinking", preset.Stderr, StringComparison.Ordinal);

        var noEndpoint = CliRunner.Run("eval", model, "--bench", bench, "--backend", "openai", "-o", run);
        Assert.Equal(2, noEndpoint.ExitCode);
        Assert.Contains("--endpoint", noEndpoint.Stderr, StringComparison.Ordinal);

        var badUrl = CliRunner.Run("eval", model, "--bench", bench, "--backend", "openai", "--endpoint", "gpu-a:8000", "-o", run);
        Assert.Equal(2, badUrl.ExitCode);
        Assert.Contains("gpu-a:8000", badUrl.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, CliRunner.Run("eval", model, "--bench", bench, "--max-tokens", "3", "--preset", "greedy", "-o", run).ExitCode);
        var changed = CliRunner.Run("eval", model, "--bench", bench, "--max-tokens", "3", "--preset", "greedy", "--seed", "5", "-o", run);
        Assert.Equal(2, changed.ExitCode);
        Assert.Contains("seed", changed.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", changed.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_killed_eval_process_loses_no_saved_sample_and_the_rerun_completes_without_regenerating()
    {
        using var temp = new TempFolder();
        var model = TinyChatModel.Create(temp.Sub("m"));
        var bench = Problems(temp, 40);
        var run = temp.Sub("run");
        string[] args = ["eval", model, "--bench", bench, "--grader", "number", "--samples", "4", "--max-tokens", "48",
            "--preset", "qwen3-thinking", "--concurrency", "1", "--threads", "1", "-o", run];
        var alloy = Path.Combine(AppContext.BaseDirectory, "alloy.dll");
        Assert.True(File.Exists(alloy), $"{alloy} is missing: the Cli's output should be copied beside the tests");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(alloy);
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using (var process = Process.Start(start)!)
        {
            // Kill it once it reports at least 10% of the samples done (progress lines go to stderr when redirected).
            var killed = false;
            string? line;
            while ((line = process.StandardError.ReadLine()) != null)
            {
                var parts = line.Trim().Split(' ', 2)[0].Split('/');
                if (parts.Length == 2 && int.TryParse(parts[0], out var done) && done > 0 && done < 160)
                {
                    process.Kill(entireProcessTree: true);
                    killed = true;
                    break;
                }
            }
            process.WaitForExit();
            Assert.True(killed, "the eval process finished before it could be killed; the test needs a longer run");
        }
        Assert.False(File.Exists(Path.Combine(run, "metrics.json")));

        var rerun = CliRunner.Run(args);
        Assert.True(rerun.ExitCode == 0, rerun.Stderr);
        var summary = rerun.Stdout.Split('\n').Single(l => l.Contains("samples generated", StringComparison.Ordinal));
        var generated = int.Parse(summary.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        var reused = int.Parse(summary.Split(", ")[^1].Split(' ')[0].Split(')')[^1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(reused, 1, 159);
        Assert.Equal(160, generated + reused);
        var keys = File.ReadAllLines(Path.Combine(run, "samples.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => (e.GetProperty("id").GetString(), e.GetProperty("sample").GetInt32())).ToList();
        Assert.Equal(160, keys.Count);
        Assert.Equal(160, keys.Distinct().Count());
    }

    [Fact]
    public async Task Eval_over_the_openai_backend_against_alloy_serve_equals_the_embedded_run()
    {
        using var temp = new TempFolder();
        var model = TinyChatModel.Create(temp.Sub("m"));
        var bench = Problems(temp, 3);
        var alloy = Path.Combine(AppContext.BaseDirectory, "alloy.dll");
        await using var server = await Alloy.Analysis.Sweep.ServeProcess.StartAsync($"dotnet '{alloy}' serve {{model}} --port {{port}}", model,
            temp.File("serve.log"), TimeSpan.FromMinutes(2), CancellationToken.None);
        string[] common = ["--bench", bench, "--grader", "number", "--samples", "2", "--max-tokens", "6", "--preset", "qwen3-thinking"];
        var served = CliRunner.Run(["eval", server.ModelId, "--backend", "openai", "--endpoint", server.BaseUrl.ToString(), "--tokenizer", model, .. common, "-o", temp.Sub("served")]);
        Assert.True(served.ExitCode == 0, served.Stderr);
        var embedded = CliRunner.Run(["eval", model, .. common, "-o", temp.Sub("embedded")]);
        Assert.Equal(0, embedded.ExitCode);

        static string[] Responses(string run) => [.. File.ReadAllLines(Path.Combine(run, "samples.jsonl"))
            .Select(l => JsonNode.Parse(l)!).Select(n => $"{n["id"]}/{n["sample"]}: {n["response"]} ({n["completion_tokens"]}, think {n["think_tokens"]})")];
        // Same seeds, same sampler: the served samples equal the in-process ones, token counts and split included.
        Assert.Equal(Responses(temp.Sub("embedded")), Responses(temp.Sub("served")));
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(temp.Sub("served"), "metrics.json")))!;
        Assert.Equal("openai", metrics["settings"]!["backend"]!.GetValue<string>());
    }
}
