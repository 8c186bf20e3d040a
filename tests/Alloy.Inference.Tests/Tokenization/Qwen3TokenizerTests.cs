// Checks BpeTokenizer on the real Qwen3 tokenizer.json against golden ids from an independent implementation
// (tests/fixtures/tokenizer, made by tools/fixtures/tokenizer/make-goldens.js), and decode/streaming properties.
using System.Text;
using Alloy.Inference.Tokenization;

namespace Alloy.Inference.Tests.Tokenization;

public sealed class Qwen3TokenizerTests
{
    private const int ImStart = 151644;
    private const int ImEnd = 151645;
    private const int ThinkOpen = 151667;

    public static IEnumerable<object[]> CaseNames() => TokenizerTestFiles.GoldenCaseNames();

    /// <summary>Cases whose golden file holds pre-tokenizer pieces (texts without added tokens).</summary>
    public static IEnumerable<object[]> CaseNamesWithPieces() =>
        TokenizerTestFiles.GoldenCases.Where(c => c.Pieces is not null).Select(c => new object[] { c.Name });

    [Qwen3Theory]
    [MemberData(nameof(CaseNames))]
    public void Encode_equals_the_golden_ids(string name)
    {
        GoldenCase c = TokenizerTestFiles.Case(name);
        int[] ids = TokenizerTestFiles.Qwen3.Encode(c.Text);
        Assert.Equal(c.Ids, ids);
    }

    [Qwen3Theory]
    [MemberData(nameof(CaseNames))]
    public void Encode_is_the_same_when_the_word_cache_is_warm(string name)
    {
        GoldenCase c = TokenizerTestFiles.Case(name);
        int[] first = TokenizerTestFiles.Qwen3.Encode(c.Text);
        int[] second = TokenizerTestFiles.Qwen3.Encode(c.Text);
        Assert.Equal(first, second);
    }

    [Qwen3Theory]
    [MemberData(nameof(CaseNamesWithPieces))]
    public void Split_regex_pieces_equal_the_golden_pieces(string name)
    {
        GoldenCase c = TokenizerTestFiles.Case(name);
        SplitRegex split = QwenSplit.Value;
        string text = c.Nfc;
        var pieces = new List<(int Start, int Length)>();
        split.SplitIsolated(text, pieces);
        string[] byteLevel = pieces.Select(p => ToByteLevel(text.Substring(p.Start, p.Length))).ToArray();
        Assert.Equal(c.Pieces, byteLevel);
    }

    [Qwen3Theory]
    [MemberData(nameof(CaseNames))]
    public void Decode_of_encode_is_the_NFC_text(string name)
    {
        GoldenCase c = TokenizerTestFiles.Case(name);
        BpeTokenizer tokenizer = TokenizerTestFiles.Qwen3;
        Assert.Equal(c.Nfc, tokenizer.Decode(tokenizer.Encode(c.Text)));
    }

    [Qwen3Theory]
    [MemberData(nameof(CaseNames))]
    public void Streaming_decode_one_id_at_a_time_equals_decode_and_never_breaks_a_character(string name)
    {
        GoldenCase c = TokenizerTestFiles.Case(name);
        BpeTokenizer tokenizer = TokenizerTestFiles.Qwen3;
        StreamingDecoder stream = tokenizer.CreateStreamingDecoder();
        var text = new StringBuilder();
        foreach (int id in c.Ids)
        {
            string piece = stream.Append(id);
            AssertWellFormed(piece);
            text.Append(piece);
        }
        string rest = stream.Flush();
        Assert.Equal(string.Empty, rest);
        Assert.Equal(tokenizer.Decode(c.Ids), text.ToString());
    }

    [Qwen3Fact]
    public void Streaming_decode_of_random_ids_equals_decode_including_invalid_bytes()
    {
        BpeTokenizer tokenizer = TokenizerTestFiles.Qwen3;
        var random = new Random(1234);
        for (int trial = 0; trial < 200; trial++)
        {
            // Mostly single-byte tokens (ids 0..255 include UTF-8 lead and continuation bytes) to provoke
            // split and invalid sequences, plus arbitrary ids including unknown ones past the vocabulary.
            int[] ids = Enumerable.Range(0, random.Next(0, 40))
                .Select(_ => random.Next(4) == 0 ? random.Next(-5, tokenizer.VocabSize + 300) : random.Next(0, 256))
                .ToArray();
            StreamingDecoder stream = tokenizer.CreateStreamingDecoder();
            var text = new StringBuilder();
            foreach (int id in ids)
            {
                string piece = stream.Append(id);
                AssertWellFormed(piece);
                text.Append(piece);
            }
            text.Append(stream.Flush());
            Assert.Equal(tokenizer.Decode(ids), text.ToString());
        }
    }

    [Qwen3Fact]
    public void Streaming_decode_holds_back_a_split_character_until_it_is_complete()
    {
        BpeTokenizer tokenizer = TokenizerTestFiles.Qwen3;
        // U+1F600 is F0 9F 98 80; the byte tokens are the byte-level characters of those bytes.
        int[] ids = [.. new byte[] { 0xF0, 0x9F, 0x98, 0x80 }.Select(b => tokenizer.TokenToId(ByteLevelAlphabet.ByteToChar[b].ToString())!.Value)];
        StreamingDecoder stream = tokenizer.CreateStreamingDecoder();
        Assert.Equal(string.Empty, stream.Append(ids[0]));
        Assert.Equal(string.Empty, stream.Append(ids[1]));
        Assert.Equal(string.Empty, stream.Append(ids[2]));
        Assert.Equal("\U0001F600", stream.Append(ids[3]));
        Assert.Equal(string.Empty, stream.Flush());
        Assert.Equal("\U0001F600", tokenizer.Decode(ids));
    }

    [Qwen3Fact]
    public void Special_tokens_in_text_are_special_only_when_allowed()
    {
        BpeTokenizer tokenizer = TokenizerTestFiles.Qwen3;
        const string text = "<|im_start|>user\nhi<|im_end|><think>";
        int[] allowed = tokenizer.Encode(text, allowSpecial: true);
        int[] plain = tokenizer.Encode(text, allowSpecial: false);
        Assert.Equal(ImStart, allowed[0]);
        Assert.Contains(ImEnd, allowed);
        Assert.DoesNotContain(plain, id => tokenizer.IsSpecial(id));
        Assert.Equal(ThinkOpen, plain[^1]); // <think> is a non-special added token: always matched.
        Assert.Equal(text, tokenizer.Decode(plain));
        Assert.Equal(text, tokenizer.Decode(allowed));
        Assert.Equal(tokenizer.Encode("<|im_start|>", allowSpecial: false), tokenizer.Encode("<|im_start", allowSpecial: false).Concat(tokenizer.Encode("|>")).ToArray());
    }

    [Qwen3Fact]
    public void Decode_with_skip_special_drops_special_tokens_but_keeps_think()
    {
        BpeTokenizer tokenizer = TokenizerTestFiles.Qwen3;
        int[] ids = tokenizer.Encode("<|im_start|>assistant\n<think>\nok\n</think>\n\nYes.<|im_end|>");
        Assert.Equal("assistant\n<think>\nok\n</think>\n\nYes.", tokenizer.Decode(ids, skipSpecial: true));
        StreamingDecoder stream = tokenizer.CreateStreamingDecoder(skipSpecial: true);
        string streamed = string.Concat(ids.Select(stream.Append)) + stream.Flush();
        Assert.Equal("assistant\n<think>\nok\n</think>\n\nYes.", streamed);
    }

    [Qwen3Fact]
    public void Vocabulary_facts_match_the_file()
    {
        BpeTokenizer tokenizer = TokenizerTestFiles.Qwen3;
        Assert.Equal(151669, tokenizer.VocabSize);
        Assert.Equal(Enumerable.Range(151643, 14), tokenizer.SpecialIds);
        Assert.Equal(26, tokenizer.AddedTokens.Count);
        Assert.Equal(ImEnd, tokenizer.EndOfSequenceId);
        Assert.Null(tokenizer.BeginningOfSequenceId);
        Assert.Equal(ImStart, tokenizer.TokenToId("<|im_start|>"));
        Assert.Equal("</think>", tokenizer.IdToToken(151668));
        Assert.Equal("Ġthe", tokenizer.IdToToken(tokenizer.TokenToId("Ġthe")!.Value));
        Assert.Null(tokenizer.IdToToken(151700));
        Assert.Null(tokenizer.TokenToId("no such token"));
        Assert.Equal(string.Empty, tokenizer.Decode([151700, -1]));
    }

    [Qwen3Fact]
    public void Concurrent_encoding_gives_the_golden_ids()
    {
        BpeTokenizer tokenizer = TokenizerTestFiles.Qwen3;
        GoldenCase[] cases = [.. TokenizerTestFiles.GoldenCases];
        var results = new int[cases.Length * 8][];
        Parallel.For(0, results.Length, i => results[i] = tokenizer.Encode(cases[i % cases.Length].Text));
        for (int i = 0; i < results.Length; i++)
        {
            Assert.Equal(cases[i % cases.Length].Ids, results[i]);
        }
    }

    [Qwen3Fact]
    public void Lone_surrogates_are_encoded_as_the_replacement_character()
    {
        BpeTokenizer tokenizer = TokenizerTestFiles.Qwen3;
        Assert.Equal(tokenizer.Encode("a\uFFFDb\uFFFD"), tokenizer.Encode("a\uD800b\uDC00"));
    }

    private static readonly Lazy<SplitRegex> QwenSplit = new(() => SplitRegex.FromOniguruma(QwenPattern(), "test"));

    private static string QwenPattern()
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TokenizerTestFiles.Qwen3Folder!, "tokenizer.json")));
        return document.RootElement.GetProperty("pre_tokenizer").GetProperty("pretokenizers")[0].GetProperty("pattern").GetProperty("Regex").GetString()!;
    }

    private static string ToByteLevel(string text) =>
        string.Concat(Encoding.UTF8.GetBytes(text).Select(b => ByteLevelAlphabet.ByteToChar[b]));

    private static void AssertWellFormed(string piece)
    {
        for (int i = 0; i < piece.Length; i++)
        {
            if (char.IsHighSurrogate(piece[i]) && i + 1 < piece.Length && char.IsLowSurrogate(piece[i + 1]))
            {
                i++;
                continue;
            }
            Assert.False(char.IsSurrogate(piece[i]), $"piece \"{piece}\" has a lone surrogate at {i}");
        }
    }
}
