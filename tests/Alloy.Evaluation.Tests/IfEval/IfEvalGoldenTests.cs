// Compares the language identifier and the sentence/word tokenizers with goldens from langdetect and nltk.
// How the goldens were made: tests/fixtures/ifeval/README.md (tools/fixtures/ifeval/make_goldens.py).
using System.Text.Json;
using Alloy.Evaluation.Graders.IfEval;

namespace Alloy.Evaluation.Tests.IfEval;

public class IfEvalGoldenTests
{
    private static IEnumerable<JsonElement> Cases(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(IfEvalTestSupport.Fixture("ifeval", file)));
        return [.. document.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone())];
    }

    [Fact]
    public void Language_identifier_agrees_with_langdetect_on_every_golden_paragraph()
    {
        var cases = Cases("language_cases.json").ToList();
        Assert.True(cases.Count >= 30, "the golden file should hold the hand-written paragraphs");
        var disagreements = cases
            .Select(c => (Text: c.GetProperty("text").GetString()!, Expected: c.GetProperty("langdetect").GetString()!))
            .Select(c => (c.Text, c.Expected, Actual: ResponseLanguageIdentifier.Identify(c.Text)))
            .Where(c => c.Actual != c.Expected)
            .Select(c => $"{c.Expected} identified as {c.Actual}: {c.Text[..Math.Min(40, c.Text.Length)]}")
            .ToList();
        Assert.Empty(disagreements);
    }

    [Fact]
    public void Sentence_splitter_matches_nltk_punkt_given_the_same_parameters()
    {
        foreach (var c in Cases("tokenizer_cases.json"))
        {
            var text = c.GetProperty("text").GetString()!;
            var expected = c.GetProperty("sentences").EnumerateArray().Select(s => s.GetString()!).ToList();
            var actual = PunktSentenceSplitter.Split(text).Select(s => text.Substring(s.Start, s.Length)).ToList();
            Assert.True(expected.SequenceEqual(actual), $"text {JsonSerializer.Serialize(text)}: nltk {JsonSerializer.Serialize(expected)}, ours {JsonSerializer.Serialize(actual)}");
        }
    }

    [Fact]
    public void Word_tokenizer_matches_nltk_word_tokenizer()
    {
        foreach (var c in Cases("tokenizer_cases.json"))
        {
            var text = c.GetProperty("text").GetString()!;
            var expected = c.GetProperty("tokens").EnumerateArray().Select(s => s.GetString()!).ToList();
            var actual = TreebankWordTokenizer.Tokenize(text);
            Assert.True(expected.SequenceEqual(actual), $"text {JsonSerializer.Serialize(text)}: nltk {JsonSerializer.Serialize(expected)}, ours {JsonSerializer.Serialize(actual)}");
        }
    }
}
