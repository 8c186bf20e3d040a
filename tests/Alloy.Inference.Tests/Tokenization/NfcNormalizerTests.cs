// Checks the tokenizer's own NFC against the JavaScript engine's String.prototype.normalize("NFC") results
// stored with the golden corpus, and a few structural properties. It does not test NFD/NFKC (not implemented).
using Alloy.Inference.Tokenization;

namespace Alloy.Inference.Tests.Tokenization;

public sealed class NfcNormalizerTests
{
    public static IEnumerable<object[]> CaseNames() => TokenizerTestFiles.GoldenCaseNames();

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Normalize_equals_the_reference_NFC(string name)
    {
        GoldenCase c = TokenizerTestFiles.Case(name);
        Assert.Equal(c.Nfc, NfcNormalizer.Normalize(c.Text));
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Normalize_is_idempotent(string name)
    {
        string once = NfcNormalizer.Normalize(TokenizerTestFiles.Case(name).Text);
        Assert.Equal(once, NfcNormalizer.Normalize(once));
    }

    [Fact]
    public void Already_normalized_ascii_is_returned_as_the_same_instance()
    {
        const string text = "plain ASCII text, 123";
        Assert.Same(text, NfcNormalizer.Normalize(text));
    }

    [Fact]
    public void The_reference_corpus_exercises_text_that_changes_under_NFC()
    {
        Assert.True(TokenizerTestFiles.GoldenCases.Count(c => c.Nfc != c.Text) >= 3);
    }
}
