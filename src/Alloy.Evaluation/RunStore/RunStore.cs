// The resumable record of one evaluation run: a SQLite file (WAL) in the run directory holding the run's settings, its
// problems and every sample the moment it exists. It neither generates nor grades; it stores what it is given.
using System.Globalization;
using System.Text;
using System.Text.Json;
using Alloy.Inference.Backends;
using Alloy.Tensors;
using Microsoft.Data.Sqlite;

namespace Alloy.Evaluation;

/// <summary>
/// One SQLite database per run directory (<see cref="FileName"/>), in WAL mode with full sync, so a crash loses no
/// committed sample. Each sample is inserted in its own transaction; the key (problem id, sample index, settings hash)
/// is unique, so a rerun asks <see cref="PendingSamples"/> for what is left and never generates a finished sample again.
/// Opening an existing run with other <see cref="RunSettings"/> throws <see cref="AlloyInputException"/> naming each
/// changed setting. All methods are safe to call from several tasks at once (one connection, serialised by a lock).
/// One process at a time should write a run.
/// </summary>
public sealed class RunStore : IDisposable
{
    /// <summary>The database file name inside the run directory.</summary>
    public const string FileName = "run.sqlite";

    private const int ApplicationId = 0x416C6C79; // "Ally": marks the file as an Alloy run store.
    private const int SchemaVersion = 1;

    private readonly object gate = new();
    private readonly SqliteConnection connection;
    private bool disposed;

    private RunStore(SqliteConnection connection, string databasePath, RunSettings settings, string settingsHash)
    {
        this.connection = connection;
        DatabasePath = databasePath;
        Settings = settings;
        SettingsHash = settingsHash;
    }

    /// <summary>The database file.</summary>
    public string DatabasePath { get; }

    /// <summary>The run's settings.</summary>
    public RunSettings Settings { get; }

    /// <summary>The settings hash that keys this run's samples (<see cref="RunSettings.Hash"/>).</summary>
    public string SettingsHash { get; }

    /// <summary>
    /// Opens the run in <paramref name="runDirectory"/>, creating the directory and database when absent. When the
    /// database exists its recorded settings must equal <paramref name="settings"/>; otherwise
    /// <see cref="AlloyInputException"/> lists what changed. A file that is not an Alloy run database (corrupt, damaged,
    /// or another program's) is an <see cref="AlloyInputException"/> naming the file; an existing database is
    /// integrity-checked first (<c>PRAGMA quick_check</c>, linear in its size).
    /// </summary>
    public static RunStore Open(string runDirectory, RunSettings settings)
    {
        ArgumentException.ThrowIfNullOrEmpty(runDirectory);
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            Directory.CreateDirectory(runDirectory);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new AlloyInputException($"Cannot use '{runDirectory}' as a run directory: {error.Message}", error);
        }
        var path = Path.GetFullPath(Path.Combine(runDirectory, FileName));
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            Initialise(connection, path, settings);
            return new RunStore(connection, path, settings, settings.Hash());
        }
        catch (SqliteException error)
        {
            connection.Dispose();
            throw new AlloyInputException(
                $"{path} is not a readable Alloy run database (SQLite: {error.Message}). "
                + "Move the file away to start the run afresh, or choose another run directory.", error);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Registers a problem (in benchmark order) with the hash of its rendered prompt. Registering it again with the
    /// same hash does nothing; a different hash means the benchmark or template changed since the run began and is
    /// an <see cref="AlloyInputException"/>.
    /// </summary>
    public void RegisterProblem(string problemId, string promptHash)
    {
        ArgumentException.ThrowIfNullOrEmpty(problemId);
        ArgumentException.ThrowIfNullOrEmpty(promptHash);
        lock (gate)
        {
            ThrowIfDisposed();
            using var transaction = connection.BeginTransaction();
            var existing = Scalar<string>(transaction, "SELECT prompt_hash FROM problems WHERE problem_id = $id", ("$id", problemId));
            if (existing is null)
            {
                Execute(transaction, "INSERT INTO problems (problem_id, prompt_hash) VALUES ($id, $hash)", ("$id", problemId), ("$hash", promptHash));
            }
            else if (existing != promptHash)
            {
                throw new AlloyInputException(
                    $"Problem '{problemId}' in {DatabasePath} was generated from a different prompt (hash {existing[..12]}…, now {promptHash[..Math.Min(12, promptHash.Length)]}…): "
                    + "the benchmark file or the prompt template changed since the run began. Use a new run directory.");
            }
            transaction.Commit();
        }
    }

    /// <summary>
    /// The samples still missing for <c>samplesPerProblem</c> samples (indices 0 … k−1) of every registered problem, or
    /// only of <paramref name="problemIds"/> when given (e.g. a resumed run with a smaller <c>--limit</c>), in
    /// registration order then index order. Samples beyond k that exist are kept and simply not asked for.
    /// </summary>
    public IReadOnlyList<PendingSample> PendingSamples(int samplesPerProblem, IEnumerable<string>? problemIds = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerProblem, 1);
        var wanted = problemIds?.ToHashSet(StringComparer.Ordinal);
        lock (gate)
        {
            ThrowIfDisposed();
            var done = new HashSet<(string, int)>();
            using (var command = Command(null, "SELECT problem_id, sample_index FROM samples WHERE settings_hash = $settings", ("$settings", SettingsHash)))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    done.Add((reader.GetString(0), reader.GetInt32(1)));
                }
            }
            var pending = new List<PendingSample>();
            foreach (var problemId in ProblemIdsInOrder().Where(id => wanted is null || wanted.Contains(id)))
            {
                for (var index = 0; index < samplesPerProblem; index++)
                {
                    if (!done.Contains((problemId, index)))
                    {
                        pending.Add(new PendingSample(problemId, index));
                    }
                }
            }
            return pending;
        }
    }

    /// <summary>
    /// Records one sample in its own committed transaction. Returns false (and changes nothing) when that
    /// (problem, index) already exists for this run: the first copy is kept. Throws <see cref="InvalidOperationException"/>
    /// for a problem that was never registered and <see cref="ArgumentException"/> for invalid grade JSON.
    /// </summary>
    public bool AddSample(NewSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentOutOfRangeException.ThrowIfNegative(sample.SampleIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(sample.CompletionTokens);
        ValidateDetails(sample.Grade);
        lock (gate)
        {
            ThrowIfDisposed();
            using var transaction = connection.BeginTransaction();
            var promptHash = Scalar<string>(transaction, "SELECT prompt_hash FROM problems WHERE problem_id = $id", ("$id", sample.ProblemId))
                ?? throw new InvalidOperationException($"Problem '{sample.ProblemId}' is not registered in {DatabasePath}; call RegisterProblem first.");
            var inserted = Execute(
                transaction,
                """
                INSERT OR IGNORE INTO samples (problem_id, sample_index, settings_hash, prompt_hash, seed, text, completion_tokens,
                    think_tokens, answer_tokens, finish_reason, grade_correct, grade_extracted, grade_details, created_utc)
                VALUES ($id, $index, $settings, $prompt, $seed, $text, $tokens, $think, $answer, $finish, $correct, $extracted, $details, $created)
                """,
                ("$id", sample.ProblemId), ("$index", sample.SampleIndex), ("$settings", SettingsHash), ("$prompt", promptHash),
                ("$seed", sample.Seed), ("$text", sample.Text), ("$tokens", sample.CompletionTokens),
                ("$think", sample.ThinkTokens), ("$answer", sample.AnswerTokens), ("$finish", FinishName(sample.FinishReason)),
                ("$correct", sample.Grade is null ? null : sample.Grade.Correct ? 1 : 0), ("$extracted", sample.Grade?.Extracted),
                ("$details", sample.Grade?.DetailsJson), ("$created", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)));
            transaction.Commit();
            return inserted == 1;
        }
    }

    /// <summary>Attaches (or replaces) the grade of a stored sample; returns false when no such sample exists.</summary>
    public bool SetGrade(string problemId, int sampleIndex, SampleGrade grade)
    {
        ArgumentNullException.ThrowIfNull(grade);
        ValidateDetails(grade);
        lock (gate)
        {
            ThrowIfDisposed();
            return Execute(
                null,
                """
                UPDATE samples SET grade_correct = $correct, grade_extracted = $extracted, grade_details = $details
                WHERE problem_id = $id AND sample_index = $index AND settings_hash = $settings
                """,
                ("$correct", grade.Correct ? 1 : 0), ("$extracted", grade.Extracted), ("$details", grade.DetailsJson),
                ("$id", problemId), ("$index", sampleIndex), ("$settings", SettingsHash)) == 1;
        }
    }

    /// <summary>Every sample of this run, in problem registration order then sample index.</summary>
    public IReadOnlyList<StoredSample> ReadSamples()
    {
        lock (gate)
        {
            ThrowIfDisposed();
            using var command = Command(
                null,
                """
                SELECT s.problem_id, s.sample_index, s.prompt_hash, s.seed, s.text, s.completion_tokens, s.think_tokens,
                       s.answer_tokens, s.finish_reason, s.grade_correct, s.grade_extracted, s.grade_details, s.created_utc
                FROM samples s JOIN problems p ON p.problem_id = s.problem_id
                WHERE s.settings_hash = $settings
                ORDER BY p.ordinal, s.sample_index
                """,
                ("$settings", SettingsHash));
            using var reader = command.ExecuteReader();
            var samples = new List<StoredSample>();
            while (reader.Read())
            {
                SampleGrade? grade = reader.IsDBNull(9)
                    ? null
                    : new SampleGrade(reader.GetInt64(9) != 0, NullableString(reader, 10), NullableString(reader, 11));
                samples.Add(new StoredSample(
                    reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4),
                    reader.GetInt32(5), NullableInt(reader, 6), NullableInt(reader, 7), ParseFinish(reader.GetString(8)), grade,
                    DateTimeOffset.Parse(reader.GetString(12), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)));
            }
            return samples;
        }
    }

    /// <summary>
    /// Writes every sample to <paramref name="path"/> as JSON Lines (see <see cref="SamplesJsonl"/> for the fields),
    /// atomically: into a temporary file beside it, flushed to disk, then renamed over the target.
    /// </summary>
    public void ExportSamplesJsonl(string path) => SamplesJsonl.WriteAtomically(path, ReadSamples());

    /// <summary>Closes the database. Every added sample is already committed; nothing is lost by skipping this.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }
            disposed = true;
            connection.Dispose();
        }
    }

    private static void Initialise(SqliteConnection connection, string path, RunSettings settings)
    {
        var applicationId = Convert.ToInt32(Scalar(connection, "PRAGMA application_id"), CultureInfo.InvariantCulture);
        var tableCount = Convert.ToInt32(Scalar(connection, "SELECT count(*) FROM sqlite_schema"), CultureInfo.InvariantCulture);
        if (tableCount > 0 && applicationId != ApplicationId)
        {
            throw new AlloyInputException(
                $"{path} is an SQLite database but not an Alloy run store (application_id {applicationId}). "
                + "Move it away or choose another run directory.");
        }
        var mode = Convert.ToString(Scalar(connection, "PRAGMA journal_mode = WAL"), CultureInfo.InvariantCulture);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new AlloyInputException($"{path}: SQLite could not switch to WAL journaling (got '{mode}'); is the directory on a network file system?");
        }
        Scalar(connection, "PRAGMA synchronous = FULL");
        Scalar(connection, "PRAGMA busy_timeout = 10000");
        Scalar(connection, "PRAGMA foreign_keys = ON");

        using var transaction = connection.BeginTransaction();
        if (tableCount == 0)
        {
            using var create = connection.CreateCommand();
            create.Transaction = transaction;
            create.CommandText = $"""
                PRAGMA application_id = {ApplicationId};
                PRAGMA user_version = {SchemaVersion};
                CREATE TABLE run_settings (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                CREATE TABLE problems (
                    ordinal INTEGER PRIMARY KEY,
                    problem_id TEXT NOT NULL UNIQUE,
                    prompt_hash TEXT NOT NULL);
                CREATE TABLE samples (
                    problem_id TEXT NOT NULL REFERENCES problems (problem_id),
                    sample_index INTEGER NOT NULL CHECK (sample_index >= 0),
                    settings_hash TEXT NOT NULL,
                    prompt_hash TEXT NOT NULL,
                    seed INTEGER NOT NULL,
                    text TEXT NOT NULL,
                    completion_tokens INTEGER NOT NULL,
                    think_tokens INTEGER,
                    answer_tokens INTEGER,
                    finish_reason TEXT NOT NULL CHECK (finish_reason IN ('stop', 'length')),
                    grade_correct INTEGER,
                    grade_extracted TEXT,
                    grade_details TEXT,
                    created_utc TEXT NOT NULL,
                    UNIQUE (problem_id, sample_index, settings_hash));
                """;
            create.ExecuteNonQuery();
            foreach (var (key, value) in SettingsRows(settings))
            {
                using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO run_settings (key, value) VALUES ($key, $value)";
                insert.Parameters.AddWithValue("$key", key);
                insert.Parameters.AddWithValue("$value", value);
                insert.ExecuteNonQuery();
            }
        }
        else
        {
            // Damage anywhere in the file is reported now, by name, rather than midway through a run.
            var check = Convert.ToString(Scalar(connection, "PRAGMA quick_check(1)", transaction), CultureInfo.InvariantCulture);
            if (check != "ok")
            {
                throw new AlloyInputException(
                    $"{path} is damaged (SQLite integrity check: {check}). Move it away to start the run afresh, or choose another run directory.");
            }
            var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version", transaction), CultureInfo.InvariantCulture);
            if (version != SchemaVersion)
            {
                throw new AlloyInputException($"{path} is an Alloy run store of schema version {version}; this Alloy reads version {SchemaVersion}.");
            }
            var recorded = new Dictionary<string, string>(StringComparer.Ordinal);
            using (var read = connection.CreateCommand())
            {
                read.Transaction = transaction;
                read.CommandText = "SELECT key, value FROM run_settings";
                using var reader = read.ExecuteReader();
                while (reader.Read())
                {
                    recorded[reader.GetString(0)] = reader.GetString(1);
                }
            }
            var changes = DescribeChanges(recorded, SettingsRows(settings));
            if (changes.Count > 0)
            {
                throw new AlloyInputException(
                    $"The run in {Path.GetDirectoryName(path)} was started with other settings, so it cannot be resumed with these: "
                    + string.Join("; ", changes)
                    + ". Resume with the original settings, or write to a new run directory.");
            }
        }
        transaction.Commit();
    }

    /// <summary>The rows of run_settings: model, benchmark, template_hash, settings_hash, and one row per generation field.</summary>
    private static List<(string Key, string Value)> SettingsRows(RunSettings settings)
    {
        var rows = new List<(string, string)>
        {
            ("model", settings.Model),
            ("benchmark", settings.Benchmark),
            ("template_hash", settings.TemplateHash),
            ("settings_hash", settings.Hash()),
            ("settings_json", settings.ToCanonicalJson()),
        };
        using var generation = JsonDocument.Parse(settings.Generation.ToCanonicalJson());
        foreach (var field in generation.RootElement.EnumerateObject())
        {
            rows.Add(("generation." + field.Name, field.Value.GetRawText()));
        }
        return rows;
    }

    private static List<string> DescribeChanges(Dictionary<string, string> recorded, List<(string Key, string Value)> now)
    {
        var changes = new List<string>();
        foreach (var (key, value) in now)
        {
            if (key is "settings_hash" or "settings_json")
            {
                continue;
            }
            var name = key.StartsWith("generation.", StringComparison.Ordinal) ? key["generation.".Length..] : key;
            if (!recorded.TryGetValue(key, out var before))
            {
                changes.Add($"{name} was not recorded, now {value}");
            }
            else if (before != value)
            {
                changes.Add($"{name} was {before}, now {value}");
            }
        }
        if (changes.Count == 0 && recorded.TryGetValue("settings_hash", out var hash) && hash != now.Single(row => row.Key == "settings_hash").Value)
        {
            changes.Add("the settings hash differs (the canonical settings format changed)");
        }
        return changes;
    }

    private List<string> ProblemIdsInOrder()
    {
        using var command = Command(null, "SELECT problem_id FROM problems ORDER BY ordinal");
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    private SqliteCommand Command(SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    private int Execute(SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    private T? Scalar<T>(SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
        where T : class
    {
        using var command = Command(transaction, sql, parameters);
        return command.ExecuteScalar() as T;
    }

    private static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void ValidateDetails(SampleGrade? grade)
    {
        if (grade?.DetailsJson is not { } details)
        {
            return;
        }
        try
        {
            using var _ = JsonDocument.Parse(details);
        }
        catch (JsonException error)
        {
            throw new ArgumentException($"Grade details must be one JSON value: {error.Message}", nameof(grade), error);
        }
    }

    internal static string FinishName(FinishReason reason) => reason switch
    {
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Unknown finish reason."),
    };

    private static FinishReason ParseFinish(string name) => name == "length" ? FinishReason.Length : FinishReason.Stop;

    private static string? NullableString(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    private static int? NullableInt(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetInt32(column);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);
}
