// Unit tests of the text tools behind the checks: Python str semantics, the Punkt-style splitter, the word tokenizer.
using Alloy.Evaluation.Graders.IfEval;

namespace Alloy.Evaluation.Tests.IfEval;

public class IfEvalTextToolsTests
{
    [Theory]
    [InlineData("", 0)]
    [InlineData("don't e-mail 2,000", 6)]
    [InlineData("x²y", 1)]        // ² is a number (No), part of the word as in Python
    [InlineData("a_b ÿ", 2)]
    [InlineData("नमस्ते", 2)]     // Python's \w excludes combining vowel signs, so Devanagari words split
    public void Word_runs_follow_python_backslash_w(string text, int expected) =>
        Assert.Equal(expected, PythonText.CountWordRuns(text));

    [Theory]
    [InlineData("HELLO, 2024!", true, false)]
    [InlineData("2024", false, false)]   // no cased character
    [InlineData("ǅA", false, false)]     // a title-case letter is neither
    [InlineData("ﬁ", false, true)]
    [InlineData("hello world", false, true)]
    public void Upper_and_lower_follow_python(string text, bool upper, bool lower)
    {
        Assert.Equal(upper, PythonText.IsUpper(text));
        Assert.Equal(lower, PythonText.IsLower(text));
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("   \n ", 0)]
    [InlineData("No end mark", 1)]
    [InlineData("Hello world. ", 1)]
    [InlineData("Line one\nLine two", 1)]                          // newlines alone never split
    [InlineData("Mr. Smith went to Washington. He liked it.", 2)]
    [InlineData("It costs 3.5 dollars. Fine.", 2)]
    [InlineData("I like it! Do you? Yes.", 3)]
    [InlineData("He said \"Stop.\" Then he left.", 2)]             // closing quote joins the first sentence
    [InlineData("We use e.g. tools. The end.", 2)]
    [InlineData("Wait... The door opened.", 2)]                   // ellipsis before a common opener breaks
    [InlineData("J. Smith wrote it.", 1)]                          // initial before a name does not break
    [InlineData("Step 1. mix well.", 1)]                           // number before a lower-case word does not break
    public void Sentence_counts(string text, int expected) =>
        Assert.Equal(expected, PunktSentenceSplitter.Count(text));

    [Theory]
    [InlineData("I DON'T KNOW.", "I|DO|N'T|KNOW|.")]
    [InlineData("We cannot go, can we?", "We|can|not|go|,|can|we|?")]
    [InlineData("A well-known fact (really).", "A|well-known|fact|(|really|)|.")]
    [InlineData("\"Hi,\" she said.", "``|Hi|,|''|she|said|.")]
    [InlineData("It's 5:30 now; ok?", "It|'s|5:30|now|;|ok|?")]
    public void Word_tokens(string text, string expected) =>
        Assert.Equal(expected.Split('|'), TreebankWordTokenizer.Tokenize(text));
}
