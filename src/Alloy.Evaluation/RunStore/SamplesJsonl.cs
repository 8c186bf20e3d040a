// Writes a run's samples as samples.jsonl, atomically (temporary file, flush, rename). One JSON object per line;
// the id/sample/response fields are the ones `alloy grade` reads back. It computes nothing.
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Alloy.Evaluation;

/// <summary>
/// samples.jsonl: one line per sample with <c>id</c>, <c>sample</c>, <c>response</c>, <c>seed</c>, <c>prompt_hash</c>,
/// <c>finish_reason</c> ("stop" | "length"), <c>completion_tokens</c>, <c>think_tokens</c>, <c>answer_tokens</c>
/// (null when not counted), <c>correct</c>, <c>extracted</c>, <c>grade</c> (the grader's details JSON; all three null
/// when ungraded) and <c>created_utc</c> (ISO 8601).
/// </summary>
public static class SamplesJsonl
{
    // Non-ASCII text stays readable; the file is data, never embedded in HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Writes <paramref name="samples"/> to <paramref name="path"/>: first to <c>path.tmp-&lt;random&gt;</c> in the same
    /// folder, flushed to disk, then renamed over <paramref name="path"/>, so a reader never sees a half-written file.
    /// The temporary file is deleted if writing fails.
    /// </summary>
    public static void WriteAtomically(string path, IEnumerable<StoredSample> samples)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(samples);
        var fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        var temporary = fullPath + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
            {
                var newline = Encoding.UTF8.GetBytes("\n");
                foreach (var sample in samples)
                {
                    using (var writer = new Utf8JsonWriter(file, WriterOptions))
                    {
                        WriteLine(writer, sample);
                    }
                    file.Write(newline);
                }
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static void WriteLine(Utf8JsonWriter writer, StoredSample sample)
    {
        writer.WriteStartObject();
        writer.WriteString("id", sample.ProblemId);
        writer.WriteNumber("sample", sample.SampleIndex);
        writer.WriteString("response", sample.Text);
        writer.WriteNumber("seed", sample.Seed);
        writer.WriteString("prompt_hash", sample.PromptHash);
        writer.WriteString("finish_reason", RunStore.FinishName(sample.FinishReason));
        writer.WriteNumber("completion_tokens", sample.CompletionTokens);
        WriteNullable(writer, "think_tokens", sample.ThinkTokens);
        WriteNullable(writer, "answer_tokens", sample.AnswerTokens);
        if (sample.Grade is { } grade)
        {
            writer.WriteBoolean("correct", grade.Correct);
            if (grade.Extracted is null)
            {
                writer.WriteNull("extracted");
            }
            else
            {
                writer.WriteString("extracted", grade.Extracted);
            }
            writer.WritePropertyName("grade");
            if (grade.DetailsJson is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                // Re-serialised rather than copied raw, so pretty-printed details stay on one line.
                using var details = JsonDocument.Parse(grade.DetailsJson);
                details.RootElement.WriteTo(writer);
            }
        }
        else
        {
            writer.WriteNull("correct");
            writer.WriteNull("extracted");
            writer.WriteNull("grade");
        }
        writer.WriteString("created_utc", sample.CreatedUtc.ToString("O", CultureInfo.InvariantCulture));
        writer.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
