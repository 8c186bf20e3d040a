// Tests of RunStore: insert, resume and pending samples, a simulated crash, concurrent writers, the settings-mismatch
// error, corrupt or foreign database files, grades and the atomic samples.jsonl export. Each test uses its own temp folder.
using System.Text.Json.Nodes;
using Alloy.Evaluation;
using Alloy.Inference.Backends;
using Alloy.Tensors;

namespace Alloy.Evaluation.Tests;

public sealed class RunStoreTests : IDisposable
{
    private static readonly GenerationSettings Generation = new(0.6, 0.95, 20, 0, 0, 32768, [], 0, null);
    private static readonly RunSettings Settings = new("./Qwen3-4B-merged-0.8", "aime25", Generation, "abc123");

    private readonly string root = Path.Combine(Path.GetTempPath(), "alloy-runstore-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private string RunDirectory(string name = "run") => Path.Combine(root, name);

    private static NewSample Sample(string problem, int index, string? text = null) =>
        new(problem, index, 1000 + index, text ?? $"<think>t{index}</think>answer {problem}/{index}", 50 + index, 40, 10 + index,
            index % 3 == 2 ? FinishReason.Length : FinishReason.Stop);

    private static void Register(RunStore store, params string[] problems)
    {
        foreach (var problem in problems)
        {
            store.RegisterProblem(problem, RunSettings.Sha256Hex("prompt of " + problem));
        }
    }

    [Fact]
    public void Insert_then_resume_asks_only_for_missing_samples()
    {
        using (var store = RunStore.Open(RunDirectory(), Settings))
        {
            Register(store, "p1", "p2");
            Assert.Equal(6, store.PendingSamples(3).Count);
            Assert.True(store.AddSample(Sample("p1", 0)));
            Assert.True(store.AddSample(Sample("p2", 2)));
        }

        using var resumed = RunStore.Open(RunDirectory(), Settings);
        Register(resumed, "p1", "p2");
        Assert.Equal(
            [new PendingSample("p1", 1), new PendingSample("p1", 2), new PendingSample("p2", 0), new PendingSample("p2", 1)],
            resumed.PendingSamples(3));
        // Asking for more samples per problem extends the run: only the new indices and the old gaps are pending.
        Assert.Equal(
            [new PendingSample("p1", 1), new PendingSample("p1", 2), new PendingSample("p1", 3),
             new PendingSample("p2", 0), new PendingSample("p2", 1), new PendingSample("p2", 3)],
            resumed.PendingSamples(4));
        Assert.Equal([new PendingSample("p2", 0), new PendingSample("p2", 1)], resumed.PendingSamples(3, ["p2"]));
        Assert.False(resumed.AddSample(Sample("p1", 0, "a regenerated text")));

        var stored = resumed.ReadSamples();
        Assert.Equal(2, stored.Count);
        Assert.Equal(("p1", 0), (stored[0].ProblemId, stored[0].SampleIndex));
        Assert.Equal("<think>t0</think>answer p1/0", stored[0].Text);
        Assert.Equal(1000, stored[0].Seed);
        Assert.Equal(50, stored[0].CompletionTokens);
        Assert.Equal(40, stored[0].ThinkTokens);
        Assert.Equal(10, stored[0].AnswerTokens);
        Assert.Equal(RunSettings.Sha256Hex("prompt of p1"), stored[0].PromptHash);
        Assert.Equal(FinishReason.Length, stored[1].FinishReason);
        Assert.Null(stored[1].Grade);
    }

    [Fact]
    public void A_crash_mid_run_loses_no_committed_sample_and_duplicates_none()
    {
        var live = RunDirectory("live");
        var afterCrash = RunDirectory("after-crash");
        var store = RunStore.Open(live, Settings);
        Register(store, "p1", "p2", "p3");
        for (var index = 0; index < 5; index++)
        {
            store.AddSample(Sample("p1", index));
            store.AddSample(Sample("p2", index));
        }

        // The files on disk at this instant are what a killed process leaves: copy them without closing the store
        // (the shared-memory index is left behind, as after a reboot; SQLite rebuilds it from the WAL).
        Directory.CreateDirectory(afterCrash);
        foreach (var file in Directory.GetFiles(live).Where(f => !f.EndsWith("-shm", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(afterCrash, Path.GetFileName(file)));
        }
        Assert.True(File.Exists(Path.Combine(afterCrash, RunStore.FileName + "-wal")), "the samples should sit in the WAL, not yet checkpointed");

        using (var recovered = RunStore.Open(afterCrash, Settings))
        {
            Assert.Equal(10, recovered.ReadSamples().Count);
            var pending = recovered.PendingSamples(5);
            Assert.Equal(5, pending.Count);
            Assert.All(pending, p => Assert.Equal("p3", p.ProblemId));
            foreach (var missing in pending)
            {
                Assert.True(recovered.AddSample(Sample(missing.ProblemId, missing.SampleIndex)));
            }
            Assert.Empty(recovered.PendingSamples(5));
        }
        using var reopened = RunStore.Open(afterCrash, Settings);
        var all = reopened.ReadSamples();
        Assert.Equal(15, all.Count);
        Assert.Equal(15, all.Select(s => (s.ProblemId, s.SampleIndex)).Distinct().Count());

        // The abandoned store is still usable by its own process: a second handle sees its samples too.
        using var second = RunStore.Open(live, Settings);
        Assert.Equal(10, second.ReadSamples().Count);
        store.Dispose();
    }

    [Fact]
    public async Task Concurrent_writers_lose_nothing_and_each_duplicate_loses_once()
    {
        using var store = RunStore.Open(RunDirectory(), Settings);
        var problems = Enumerable.Range(0, 8).Select(i => $"p{i}").ToArray();
        Register(store, problems);

        // Two tasks per problem race to insert the same 16 samples; exactly one insert of each wins.
        var writers = problems.SelectMany(problem => new[] { problem, problem }).Select(problem => Task.Run(() =>
            Enumerable.Range(0, 16).Count(index => store.AddSample(Sample(problem, index))))).ToArray();
        var wins = await Task.WhenAll(writers);

        Assert.Equal(8 * 16, wins.Sum());
        var stored = store.ReadSamples();
        Assert.Equal(8 * 16, stored.Count);
        Assert.Equal(stored.Count, stored.Select(s => (s.ProblemId, s.SampleIndex)).Distinct().Count());
        Assert.Empty(store.PendingSamples(16));
    }

    [Fact]
    public void Resuming_with_changed_settings_names_each_change()
    {
        using (var store = RunStore.Open(RunDirectory(), Settings))
        {
            Register(store, "p1");
        }
        var changed = Settings with { Generation = Generation with { Temperature = 0.7, MaxTokens = 1024 }, TemplateHash = "def456" };

        var error = Assert.Throws<AlloyInputException>(() => RunStore.Open(RunDirectory(), changed));

        Assert.Contains("temperature was 0.6, now 0.7", error.Message, StringComparison.Ordinal);
        Assert.Contains("max_tokens was 32768, now 1024", error.Message, StringComparison.Ordinal);
        Assert.Contains("template_hash was abc123, now def456", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("top_p", error.Message, StringComparison.Ordinal);
        Assert.Contains(RunDirectory(), error.Message, StringComparison.Ordinal);
        using var original = RunStore.Open(RunDirectory(), Settings);
        Assert.Single(original.PendingSamples(1));
    }

    [Fact]
    public void A_changed_prompt_for_a_known_problem_is_refused()
    {
        using var store = RunStore.Open(RunDirectory(), Settings);
        store.RegisterProblem("p1", RunSettings.Sha256Hex("old prompt"));
        store.RegisterProblem("p1", RunSettings.Sha256Hex("old prompt"));
        var error = Assert.Throws<AlloyInputException>(() => store.RegisterProblem("p1", RunSettings.Sha256Hex("new prompt")));
        Assert.Contains("'p1'", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => store.AddSample(Sample("never-registered", 0)));
    }

    [Fact]
    public void A_corrupt_database_file_is_bad_input_naming_the_file()
    {
        Directory.CreateDirectory(RunDirectory());
        var path = Path.Combine(RunDirectory(), RunStore.FileName);
        File.WriteAllBytes(path, Enumerable.Range(0, 8192).Select(i => (byte)(i * 37 % 251)).ToArray());

        var error = Assert.Throws<AlloyInputException>(() => RunStore.Open(RunDirectory(), Settings));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("not a readable Alloy run database", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_database_file_is_bad_input()
    {
        using (var store = RunStore.Open(RunDirectory(), Settings))
        {
            Register(store, "p1");
            store.AddSample(Sample("p1", 0));
        }
        var path = Path.Combine(RunDirectory(), RunStore.FileName);
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 4096, "a closed store is checkpointed into the main file");
        Array.Clear(bytes, 100, bytes.Length - 100);
        File.WriteAllBytes(path, bytes);

        Assert.Throws<AlloyInputException>(() =>
        {
            using var store = RunStore.Open(RunDirectory(), Settings);
            store.ReadSamples();
        });
    }

    [Fact]
    public void A_damaged_page_inside_a_valid_header_is_found_at_open()
    {
        using (var store = RunStore.Open(RunDirectory(), Settings))
        {
            Register(store, "p1");
            for (var index = 0; index < 40; index++)
            {
                store.AddSample(Sample("p1", index, new string('x', 2000)));
            }
        }
        var path = Path.Combine(RunDirectory(), RunStore.FileName);
        var bytes = File.ReadAllBytes(path);
        // Overwrite the last pages (sample rows and index b-tree) with garbage, leaving the header and schema intact.
        for (var i = bytes.Length - 3 * 4096; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 131 % 255);
        }
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<AlloyInputException>(() => RunStore.Open(RunDirectory(), Settings));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_in_place_of_the_run_directory_is_bad_input()
    {
        Directory.CreateDirectory(root);
        var notADirectory = Path.Combine(root, "file");
        File.WriteAllText(notADirectory, "x");
        var error = Assert.Throws<AlloyInputException>(() => RunStore.Open(notADirectory, Settings));
        Assert.Contains(notADirectory, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_programs_sqlite_database_is_refused()
    {
        Directory.CreateDirectory(RunDirectory());
        var path = Path.Combine(RunDirectory(), RunStore.FileName);
        using (var foreign = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            foreign.Open();
            using var command = foreign.CreateCommand();
            command.CommandText = "CREATE TABLE notes (body TEXT)";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<AlloyInputException>(() => RunStore.Open(RunDirectory(), Settings));
        Assert.Contains("not an Alloy run store", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Grades_are_stored_and_exported_atomically_as_jsonl()
    {
        var output = Path.Combine(RunDirectory(), "samples.jsonl");
        using var store = RunStore.Open(RunDirectory(), Settings);
        Register(store, "p1", "p2");
        store.AddSample(Sample("p1", 0) with { Grade = new SampleGrade(true, "42", "{\n  \"method\": \"exact\"\n}") });
        store.AddSample(Sample("p2", 1, "réponse ×"));
        store.AddSample(Sample("p2", 0) with { ThinkTokens = null, AnswerTokens = null });
        Assert.True(store.SetGrade("p2", 1, new SampleGrade(false, null, null)));
        Assert.False(store.SetGrade("p2", 5, new SampleGrade(false, null, null)));
        Assert.Throws<ArgumentException>(() => store.SetGrade("p2", 1, new SampleGrade(false, null, "{not json")));
        File.WriteAllText(output, "stale content from an earlier export\n");

        store.ExportSamplesJsonl(output);

        var lines = File.ReadAllLines(output);
        Assert.Equal(3, lines.Length);
        Assert.Empty(Directory.GetFiles(RunDirectory(), "samples.jsonl.tmp-*"));
        var first = JsonNode.Parse(lines[0])!.AsObject();
        Assert.Equal("p1", first["id"]!.GetValue<string>());
        Assert.Equal(0, first["sample"]!.GetValue<int>());
        Assert.Equal("<think>t0</think>answer p1/0", first["response"]!.GetValue<string>());
        Assert.Equal("stop", first["finish_reason"]!.GetValue<string>());
        Assert.True(first["correct"]!.GetValue<bool>());
        Assert.Equal("42", first["extracted"]!.GetValue<string>());
        Assert.Equal("exact", first["grade"]!["method"]!.GetValue<string>());
        var second = JsonNode.Parse(lines[1])!.AsObject();
        Assert.Equal(("p2", 0), (second["id"]!.GetValue<string>(), second["sample"]!.GetValue<int>()));
        Assert.Null(second["think_tokens"]);
        Assert.Null(second["correct"]);
        var third = JsonNode.Parse(lines[2])!.AsObject();
        Assert.Equal("réponse ×", third["response"]!.GetValue<string>());
        Assert.Contains("réponse ×", lines[2], StringComparison.Ordinal);
        Assert.False(third["correct"]!.GetValue<bool>());
    }

    [Fact]
    public void The_database_uses_write_ahead_logging()
    {
        using var store = RunStore.Open(RunDirectory(), Settings);
        using var probe = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={store.DatabasePath};Pooling=False;Mode=ReadOnly");
        probe.Open();
        using var command = probe.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar() as string);
    }
}
