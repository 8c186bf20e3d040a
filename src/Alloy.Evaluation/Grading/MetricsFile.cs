// Formats metrics.json (DESIGN.md's schema) from a MetricsSummary. Formatting only; the numbers come from
// ResponseGrading, and callers write the text with AtomicFile.
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Alloy.Evaluation.Grading;

/// <summary>metrics.json: one model × one benchmark.</summary>
public static class MetricsFile
{
    /// <summary>The file name inside a run folder.</summary>
    public const string FileName = "metrics.json";

    /// <summary>
    /// The JSON text (indented, UTF-8 text unescaped): <c>model, benchmark, problems, samples, mean_at_k,
    /// mean_at_k_ci90 [lo, hi], mean_at_k_problem_se, pass_at {"1", "k"}, vote_at_k, mean_tokens, median_tokens,
    /// p90_tokens, mean_think_tokens, mean_answer_tokens, think_ratio, truncated_ratio, reflection_rate</c>, then
    /// <c>levels</c> (<c>[{level, problems, mean_at_k}]</c>, only when every problem has a level) and <c>settings</c>
    /// (<paramref name="settingsJson"/>, a JSON object, written verbatim). Values that are unknown or not finite
    /// (a standard error over one problem, an interval over k = 1 samples) are null. The t-interval is clipped to
    /// [0, 1], the range of an accuracy.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="settingsJson"/> is not a JSON object.</exception>
    public static string ToJson(MetricsSummary m, string model, string benchmark, string settingsJson)
    {
        ArgumentNullException.ThrowIfNull(m);
        using (var check = JsonDocument.Parse(settingsJson))
            if (check.RootElement.ValueKind != JsonValueKind.Object)
                throw new ArgumentException("settings must be a JSON object", nameof(settingsJson));
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            void Optional(string name, double? value)
            {
                if (value is double v && double.IsFinite(v))
                    w.WriteNumber(name, v);
                else
                    w.WriteNull(name);
            }
            w.WriteStartObject();
            w.WriteString("model", model);
            w.WriteString("benchmark", benchmark);
            w.WriteNumber("problems", m.Problems);
            w.WriteNumber("samples", m.Samples);
            w.WriteNumber("mean_at_k", m.MeanAtK.Mean);
            if (double.IsFinite(m.MeanAtK.IntervalLow) && double.IsFinite(m.MeanAtK.IntervalHigh))
            {
                w.WriteStartArray("mean_at_k_ci90");
                w.WriteNumberValue(Math.Clamp(m.MeanAtK.IntervalLow, 0, 1));
                w.WriteNumberValue(Math.Clamp(m.MeanAtK.IntervalHigh, 0, 1));
                w.WriteEndArray();
            }
            else
                w.WriteNull("mean_at_k_ci90");
            Optional("mean_at_k_problem_se", m.MeanAtK.ProblemStandardError);
            w.WriteStartObject("pass_at");
            w.WriteNumber("1", m.PassAt1);
            if (m.Samples != 1)
                w.WriteNumber(m.Samples.ToString(CultureInfo.InvariantCulture), m.PassAtK);
            w.WriteEndObject();
            Optional("vote_at_k", m.VoteAtK);
            Optional("mean_tokens", m.Tokens?.Mean);
            Optional("median_tokens", m.Tokens?.Median);
            Optional("p90_tokens", m.Tokens?.P90);
            Optional("mean_think_tokens", m.MeanThinkTokens);
            Optional("mean_answer_tokens", m.MeanAnswerTokens);
            w.WriteNumber("think_ratio", m.ThinkRatio);
            w.WriteNumber("truncated_ratio", m.TruncatedRatio);
            w.WriteNumber("reflection_rate", m.ReflectionRate);
            if (m.Levels.Count > 0)
            {
                w.WriteStartArray("levels");
                foreach (var level in m.Levels)
                {
                    w.WriteStartObject();
                    w.WriteNumber("level", level.Level);
                    w.WriteNumber("problems", level.Problems);
                    w.WriteNumber("mean_at_k", level.Mean);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WritePropertyName("settings");
            w.WriteRawValue(settingsJson);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
