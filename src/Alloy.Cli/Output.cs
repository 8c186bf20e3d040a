// Console plumbing shared by the verbs: a Spectre console over a given writer, and progress bars
// that show only on an interactive terminal (never in redirected output or tests).
using System.Globalization;
using Alloy.Evaluation.Running;
using Spectre.Console;

namespace Alloy.Cli;

internal static class Output
{
    /// <summary>JSON text written by <paramref name="write"/>: UTF-8 kept as is (no \uXXXX escapes), indented unless asked not to be.</summary>
    public static string Json(Action<System.Text.Json.Utf8JsonWriter> write, bool indented = true)
    {
        using var buffer = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions
        {
            Indented = indented,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            write(writer);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>A Spectre console writing to <paramref name="writer"/>; plain text unless it is the real terminal.</summary>
    public static IAnsiConsole Console(TextWriter writer)
    {
        var terminal = writer == System.Console.Out && !System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!terminal)
            console.Profile.Width = 160;
        return console;
    }
}

/// <summary>A byte-counting progress bar with rate and ETA on stderr when it is a terminal.</summary>
internal static class Progress
{
    public static T Run<T>(TextWriter stderr, string label, long totalBytes, Func<IProgress<long>?, T> work)
    {
        if (stderr != System.Console.Error || System.Console.IsErrorRedirected || totalBytes <= 0)
            return work(null);
        T result = default!;
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Error) });
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(label, maxValue: totalBytes);
                result = work(new SynchronousProgress(task));
                task.Value = task.MaxValue;
            });
        return result;
    }

    private sealed class SynchronousProgress(ProgressTask task) : IProgress<long>
    {
        public void Report(long value)
        {
            lock (task)
                task.Increment(value);
        }
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread, one report at a time, so lines appear in order and before the verb's result.</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    private readonly Lock _gate = new();

    public void Report(T value)
    {
        lock (_gate)
            report(value);
    }
}

/// <summary>Progress of an evaluation's samples as plain lines (redirected output, tests, and under each sweep pair).</summary>
internal static class SampleProgress
{
    /// <summary>A progress sink that prints one line per 10 % of a run's samples (samples, reused, tok/s, ETA).</summary>
    public static IProgress<EvaluationProgress> Lines(TextWriter stderr, string indent)
    {
        var lastDecile = -1;
        var lastTotal = -1;
        return new InlineProgress<EvaluationProgress>(p =>
        {
            var decile = p.Total == 0 ? 10 : 10 * p.Done / p.Total;
            if (decile == lastDecile && p.Total == lastTotal) return;
            (lastDecile, lastTotal) = (decile, p.Total);
            var eta = p.Eta is TimeSpan t ? $", ETA {t:hh\\:mm\\:ss}" : "";
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{indent}{p.Done}/{p.Total} samples ({p.Reused} reused), {p.TokensPerSecond:0} tok/s{eta}"));
        });
    }
}
