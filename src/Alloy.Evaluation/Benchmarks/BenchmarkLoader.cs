// Reads benchmark JSONL files (the built-in ones by name from a data folder, or any custom file) as
// hostile input: bounded sizes, one clear error naming the file, line and field.
using System.Collections.Immutable;
using System.Text.Json;
using Alloy.Tensors;

namespace Alloy.Evaluation.Benchmarks;

/// <summary>Finds and parses benchmark files.</summary>
public static class BenchmarkLoader
{
    /// <summary>The built-in benchmarks: name → (file name in the data folder, grader).</summary>
    public static readonly ImmutableDictionary<string, (string File, GraderKind Grader)> Known =
        new Dictionary<string, (string, GraderKind)>(StringComparer.OrdinalIgnoreCase)
        {
            ["aime24"] = ("aime24.jsonl", GraderKind.Math),
            ["aime25"] = ("aime25.jsonl", GraderKind.Math),
            ["hmmt25"] = ("hmmt25.jsonl", GraderKind.Math),
            ["math500"] = ("math500.jsonl", GraderKind.Math),
            ["gsm8k"] = ("gsm8k.jsonl", GraderKind.Number),
            ["gpqa-diamond"] = ("gpqa_diamond.jsonl", GraderKind.Choice),
            ["gpqa_diamond"] = ("gpqa_diamond.jsonl", GraderKind.Choice),
            ["ifeval"] = ("ifeval.jsonl", GraderKind.IfEval),
        }.ToImmutableDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Largest accepted benchmark file (256 MB) and line (16 MB).</summary>
    public const long MaxFileBytes = 256L << 20;

    private const int MaxLineChars = 16 << 20;

    /// <summary>The default data folder: $XDG_CACHE_HOME/alloy/datasets, else ~/.cache/alloy/datasets.</summary>
    public static string DefaultDataDirectory()
    {
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cache))
            cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "alloy", "datasets");
    }

    /// <summary>Parses a grader name (math, number, choice, ifeval); null stays null (the benchmark's own grader).</summary>
    /// <exception cref="AlloyInputException">Any other name; <paramref name="field"/> names where it came from (e.g. "--grader").</exception>
    public static GraderKind? ParseGrader(string? name, string field = "grader") => name switch
    {
        null => null,
        "math" => GraderKind.Math,
        "number" => GraderKind.Number,
        "choice" => GraderKind.Choice,
        "ifeval" => GraderKind.IfEval,
        _ => throw new AlloyInputException($"{field} '{name}' is not one of math, number, choice, ifeval"),
    };

    /// <summary>
    /// Loads <paramref name="nameOrPath"/>: an existing .jsonl file (a custom benchmark, graded by
    /// <paramref name="grader"/> or, without it, by Choice when records have choices, else Math), or a
    /// known name looked up in <paramref name="dataDirectory"/>.
    /// </summary>
    /// <exception cref="AlloyInputException">Unknown name, missing file, or a malformed record.</exception>
    public static Benchmark Load(string nameOrPath, string dataDirectory, GraderKind? grader = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(nameOrPath);
        if (File.Exists(nameOrPath))
        {
            var problems = Read(nameOrPath);
            var kind = grader ?? (problems.Any(p => !p.Choices.IsEmpty) ? GraderKind.Choice : GraderKind.Math);
            return new Benchmark(Path.GetFileNameWithoutExtension(nameOrPath), nameOrPath, kind, problems);
        }
        if (!Known.TryGetValue(nameOrPath, out var known))
            throw new AlloyInputException($"benchmark '{nameOrPath}' is neither a file nor a known name; known: {string.Join(", ", Known.Keys.Where(k => !k.Contains('_', StringComparison.Ordinal)).Order(StringComparer.Ordinal))}");
        var path = Path.Combine(dataDirectory, known.File);
        if (!File.Exists(path))
            throw new AlloyInputException($"{path}: the data file of benchmark '{nameOrPath}' is missing; put it there (schema in docs/benchmarks-data.md) or pass --data-dir");
        return new Benchmark(nameOrPath.ToLowerInvariant().Replace('_', '-'), path, grader ?? known.Grader, Read(path));
    }

    /// <summary>Reads every record of a JSONL file.</summary>
    public static ImmutableArray<BenchmarkProblem> Read(string path)
    {
        var info = new FileInfo(path);
        if (info.Length > MaxFileBytes)
            throw new AlloyInputException($"{path}: {info.Length} bytes is over the {MaxFileBytes}-byte limit for a benchmark file");
        var problems = ImmutableArray.CreateBuilder<BenchmarkProblem>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using var reader = new StreamReader(path);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length > MaxLineChars)
                throw new AlloyInputException($"{path}:{lineNumber}: line of {line.Length} characters is over the limit");
            if (string.IsNullOrWhiteSpace(line))
                continue;
            var problem = Parse(line, path, lineNumber);
            if (!ids.Add(problem.Id))
                throw new AlloyInputException($"{path}:{lineNumber}: id '{problem.Id}' appears twice; ids must be unique");
            problems.Add(problem);
        }
        if (problems.Count == 0)
            throw new AlloyInputException($"{path}: no records; a benchmark file has one JSON object per line");
        return problems.ToImmutable();
    }

    private static BenchmarkProblem Parse(string line, string path, int lineNumber)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            throw new AlloyInputException($"{path}:{lineNumber}: not valid JSON: {e.Message.Split('\n')[0]}", e);
        }
        using (document)
        {
            var r = document.RootElement;
            if (r.ValueKind != JsonValueKind.Object)
                throw new AlloyInputException($"{path}:{lineNumber}: each line must be a JSON object");
            string Where(string field) => $"{path}:{lineNumber}: field '{field}'";
            var id = Scalar(r, "id") ?? Scalar(r, "key") ?? $"line-{lineNumber}";
            var question = Text(r, "problem") ?? Text(r, "question") ?? Text(r, "prompt")
                ?? throw new AlloyInputException($"{path}:{lineNumber}: no 'problem', 'question' or 'prompt' text");
            var isIfEval = r.TryGetProperty("instruction_id_list", out _);
            var choices = ImmutableArray<string>.Empty;
            var correct = -1;
            if (r.TryGetProperty("choices", out var c) && c.ValueKind != JsonValueKind.Null)
            {
                if (c.ValueKind != JsonValueKind.Array || c.GetArrayLength() < 2 || c.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
                    throw new AlloyInputException($"{Where("choices")} must be a list of at least two strings");
                choices = [.. c.EnumerateArray().Select(x => x.GetString()!)];
                if (r.TryGetProperty("answer_index", out var ai))
                {
                    if (ai.ValueKind != JsonValueKind.Number || !ai.TryGetInt32(out correct) || correct < 0 || correct >= choices.Length)
                        throw new AlloyInputException($"{Where("answer_index")} must be an integer in [0, {choices.Length})");
                }
                else if (Scalar(r, "answer") is { } letter && letter.Length == 1 && char.ToUpperInvariant(letter[0]) - 'A' is var index and >= 0 && index < choices.Length)
                    correct = index;
                else
                    throw new AlloyInputException($"{path}:{lineNumber}: a record with choices needs 'answer_index' or an 'answer' letter A–{(char)('A' + choices.Length - 1)}");
            }
            var answer = choices.IsEmpty ? Scalar(r, "answer") ?? "" : ((char)('A' + correct)).ToString();
            if (!isIfEval && answer.Length == 0)
                throw new AlloyInputException($"{Where("answer")} is missing or empty; every problem needs a reference answer");
            int? level = r.TryGetProperty("level", out var lv) && lv.ValueKind == JsonValueKind.Number && lv.TryGetInt32(out var l) ? l : null;
            var subject = Text(r, "subject") ?? Text(r, "subdomain");
            return new BenchmarkProblem(id, question, answer, choices, correct, level, subject, line);
        }
    }

    private static string? Text(JsonElement r, string name) =>
        r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

    private static string? Scalar(JsonElement r, string name) =>
        !r.TryGetProperty(name, out var v) ? null : v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        };
}
