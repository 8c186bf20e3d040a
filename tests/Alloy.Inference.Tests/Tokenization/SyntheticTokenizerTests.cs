// Exercises BpeTokenizer on tiny tokenizer.json files written by the test: merge order, ignore_merges, ByteLevel
// options, added-token flags, and every refusal path of the loader. Real-vocabulary behaviour is in Qwen3TokenizerTests.
using System.Text.Json.Nodes;
using Alloy.Inference.Tokenization;
using Alloy.Tensors;

namespace Alloy.Inference.Tests.Tokenization;

public sealed class SyntheticTokenizerTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("alloy-tokenizer-test-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static int Byte(char c) => c; // Byte tokens have ids 0..255 in the synthetic vocabulary.

    /// <summary>256 byte tokens (id = byte), merges h+e, l+l, he+ll, hell+o, a+a, and the merge-less entry "abc".</summary>
    private static JsonObject Tokenizer()
    {
        var vocab = new JsonObject();
        for (int b = 0; b < 256; b++)
        {
            vocab[ByteLevelAlphabet.ByteToChar[b].ToString()] = b;
        }
        vocab["he"] = 256;
        vocab["ll"] = 257;
        vocab["hell"] = 258;
        vocab["hello"] = 259;
        vocab["aa"] = 260;
        vocab["abc"] = 261;
        return new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(
                AddedTokenJson(300, "<sp>", special: true),
                AddedTokenJson(301, "<spx>", special: true),
                AddedTokenJson(302, "<x>", special: false)),
            ["normalizer"] = new JsonObject { ["type"] = "NFC" },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["use_regex"] = true },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(Pair("h", "e"), Pair("l", "l"), Pair("he", "ll"), Pair("hell", "o"), Pair("a", "a")),
            },
        };
    }

    private static JsonArray Pair(string a, string b) => new(a, b);

    private static JsonObject AddedTokenJson(int id, string content, bool special, bool normalized = false, bool lstrip = false, bool rstrip = false, bool singleWord = false) => new()
    {
        ["id"] = id,
        ["content"] = content,
        ["single_word"] = singleWord,
        ["lstrip"] = lstrip,
        ["rstrip"] = rstrip,
        ["normalized"] = normalized,
        ["special"] = special,
    };

    private BpeTokenizer Load(JsonObject json)
    {
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), json.ToJsonString());
        return BpeTokenizer.Load(folder);
    }

    private AlloyInputException LoadFails(string text)
    {
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), text);
        var error = Assert.Throws<AlloyInputException>(() => BpeTokenizer.Load(folder));
        Assert.Contains("tokenizer.json", error.Message, StringComparison.Ordinal);
        return error;
    }

    [Fact]
    public void Merges_apply_lowest_rank_first_and_leftmost_on_ties()
    {
        BpeTokenizer tokenizer = Load(Tokenizer());
        Assert.Equal([259], tokenizer.Encode("hello"));
        Assert.Equal([256, Byte('l')], tokenizer.Encode("hel"));
        Assert.Equal([260, Byte('a')], tokenizer.Encode("aaa"));
        Assert.Equal([260, 260], tokenizer.Encode("aaaa"));
        Assert.Equal([Byte('a'), Byte('b'), Byte('c')], tokenizer.Encode("abc"));
    }

    [Fact]
    public void String_merges_and_pair_merges_give_the_same_ids()
    {
        JsonObject json = Tokenizer();
        json["model"]!["merges"] = new JsonArray("h e", "l l", "he ll", "hell o", "a a");
        BpeTokenizer fromStrings = Load(json);
        Assert.Equal([259, 260, Byte('a')], fromStrings.Encode("helloaaa"));
    }

    [Fact]
    public void Ignore_merges_emits_a_whole_word_found_in_the_vocabulary()
    {
        JsonObject json = Tokenizer();
        json["model"]!["ignore_merges"] = true;
        Assert.Equal([261], Load(json).Encode("abc"));
    }

    [Fact]
    public void ByteLevel_regex_splits_before_words_and_add_prefix_space_adds_a_space()
    {
        BpeTokenizer plain = Load(Tokenizer());
        int space = Byte(' ');
        Assert.Equal([259, space, 259], plain.Encode("hello hello")); // "hello" and "Ġhello": no Ġ+hello merge.
        JsonObject json = Tokenizer();
        json["pre_tokenizer"]!["add_prefix_space"] = true;
        Assert.Equal([space, 259], Load(json).Encode("hello"));
    }

    [Fact]
    public void Added_tokens_match_longest_first_and_special_ones_only_when_allowed()
    {
        BpeTokenizer tokenizer = Load(Tokenizer());
        Assert.Equal([Byte('a'), 301, Byte('b')], tokenizer.Encode("a<spx>b"));
        Assert.Equal([300, 302], tokenizer.Encode("<sp><x>"));
        int[] plain = tokenizer.Encode("<sp><x>", allowSpecial: false);
        Assert.DoesNotContain(300, plain);
        Assert.Equal(302, plain[^1]);
        Assert.Equal("<sp><x>", tokenizer.Decode(plain));
        Assert.Equal("<x>", tokenizer.Decode([300, 302], skipSpecial: true));
        Assert.Equal([300, 301], tokenizer.SpecialIds);
    }

    [Fact]
    public void Lstrip_and_rstrip_absorb_neighbouring_whitespace()
    {
        JsonObject json = Tokenizer();
        json["added_tokens"] = new JsonArray(AddedTokenJson(300, "<sp>", special: true, lstrip: true, rstrip: true));
        BpeTokenizer tokenizer = Load(json);
        Assert.Equal([Byte('a'), 300, Byte('b')], tokenizer.Encode("a \t<sp>\n b"));
        Assert.Equal("a<sp>b", tokenizer.Decode(tokenizer.Encode("a \t<sp>\n b")));
    }

    [Fact]
    public void Single_word_tokens_match_only_between_non_alphanumerics()
    {
        JsonObject json = Tokenizer();
        json["added_tokens"] = new JsonArray(AddedTokenJson(302, "<x>", special: false, singleWord: true));
        BpeTokenizer tokenizer = Load(json);
        Assert.DoesNotContain(302, tokenizer.Encode("a<x>"));
        Assert.DoesNotContain(302, tokenizer.Encode("<x>1"));
        Assert.Contains(302, tokenizer.Encode("a <x>."));
        Assert.Contains(302, tokenizer.Encode("<x>"));
    }

    [Fact]
    public void Normalized_added_tokens_match_the_NFC_text_and_raw_ones_the_raw_text()
    {
        JsonObject json = Tokenizer();
        json["added_tokens"] = new JsonArray(
            AddedTokenJson(310, "\u01d2", special: false, normalized: true),
            AddedTokenJson(311, "o\u0302", special: false, normalized: false));
        BpeTokenizer tokenizer = Load(json);
        Assert.Equal([310], tokenizer.Encode("o\u030c"));
        Assert.Equal([311], tokenizer.Encode("o\u0302"));
        Assert.DoesNotContain(311, tokenizer.Encode("\u00f4"));
    }

    [Fact]
    public void Split_then_ByteLevel_without_regex_uses_the_file_pattern()
    {
        JsonObject json = Tokenizer();
        json["pre_tokenizer"] = JsonNode.Parse("""
            {"type": "Sequence", "pretokenizers": [
              {"type": "Split", "pattern": {"Regex": "\\p{N}{1,3}|\\p{L}++|\\s+"}, "behavior": "Isolated", "invert": false},
              {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]}
            """);
        json["model"]!["merges"] = new JsonArray(Pair("a", "a"));
        json["model"]!["vocab"]!["12"] = 270;
        json["model"]!["merges"]!.AsArray().Add(Pair("1", "2"));
        BpeTokenizer tokenizer = Load(json);
        // "12121" splits into "121" and "21": 1+2 merges inside the first piece only.
        Assert.Equal([270, Byte('1'), Byte('2'), Byte('1')], tokenizer.Encode("12121"));
    }

    [Fact]
    public void Tokenizer_config_supplies_bos_and_eos()
    {
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{"bos_token": {"content": "<sp>"}, "eos_token": "<spx>"}""");
        BpeTokenizer tokenizer = Load(Tokenizer());
        Assert.Equal(300, tokenizer.BeginningOfSequenceId);
        Assert.Equal(301, tokenizer.EndOfSequenceId);
    }

    [Fact]
    public void Loading_a_tokenizer_json_path_reads_the_config_beside_it()
    {
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), Tokenizer().ToJsonString());
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{"eos_token": "<spx>"}""");
        BpeTokenizer tokenizer = BpeTokenizer.Load(Path.Combine(folder, "tokenizer.json"));
        Assert.Equal([259], tokenizer.Encode("hello"));
        Assert.Equal(301, tokenizer.EndOfSequenceId);
    }

    [Fact]
    public void Bad_tokenizer_config_is_refused_naming_it()
    {
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{"eos_token": 5}""");
        var error = Assert.Throws<AlloyInputException>(() => Load(Tokenizer()));
        Assert.Contains("tokenizer_config.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("eos_token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_json_is_refused_naming_the_file()
    {
        AlloyInputException error = LoadFails("{\"model\": {\"vocab\": ");
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_vocab_is_refused()
    {
        JsonObject json = Tokenizer();
        json["model"]!.AsObject().Remove("vocab");
        Assert.Contains("model.vocab", LoadFails(json.ToJsonString()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_naming_an_unknown_token_is_refused()
    {
        JsonObject json = Tokenizer();
        json["model"]!["merges"]!.AsArray().Add(Pair("q", "zz"));
        AlloyInputException error = LoadFails(json.ToJsonString());
        Assert.Contains("model.merges[5]", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"zz\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_merge_string_is_refused()
    {
        JsonObject json = Tokenizer();
        json["model"]!["merges"] = new JsonArray("h e x");
        Assert.Contains("two tokens separated by one space", LoadFails(json.ToJsonString()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_pre_tokenizer_is_refused()
    {
        JsonObject json = Tokenizer();
        json["pre_tokenizer"] = new JsonObject { ["type"] = "Whitespace" };
        Assert.Contains("\"Whitespace\"", LoadFails(json.ToJsonString()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_behaviour_other_than_isolated_is_refused()
    {
        JsonObject json = Tokenizer();
        json["pre_tokenizer"] = JsonNode.Parse("""
            {"type": "Sequence", "pretokenizers": [
              {"type": "Split", "pattern": {"Regex": "\\s+"}, "behavior": "Removed", "invert": false},
              {"type": "ByteLevel", "use_regex": false}]}
            """);
        Assert.Contains("behavior", LoadFails(json.ToJsonString()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_regex_with_untranslatable_syntax_is_refused()
    {
        JsonObject json = Tokenizer();
        json["pre_tokenizer"] = JsonNode.Parse("""
            {"type": "Sequence", "pretokenizers": [
              {"type": "Split", "pattern": {"Regex": "\\w+"}, "behavior": "Isolated", "invert": false},
              {"type": "ByteLevel", "use_regex": false}]}
            """);
        Assert.Contains("\\w", LoadFails(json.ToJsonString()).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Unigram")]
    [InlineData("WordPiece")]
    public void Non_BPE_models_are_refused(string type)
    {
        JsonObject json = Tokenizer();
        json["model"]!["type"] = type;
        Assert.Contains(type, LoadFails(json.ToJsonString()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_normalizer_is_refused()
    {
        JsonObject json = Tokenizer();
        json["normalizer"] = JsonNode.Parse("""{"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Lowercase"}]}""");
        Assert.Contains("\"Lowercase\"", LoadFails(json.ToJsonString()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Vocabulary_without_all_byte_tokens_is_refused()
    {
        JsonObject json = Tokenizer();
        json["model"]!["vocab"]!.AsObject().Remove("Ġ");
        json["model"]!["merges"] = new JsonArray();
        Assert.Contains("byte 0x20", LoadFails(json.ToJsonString()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Added_token_clashing_with_the_vocabulary_is_refused()
    {
        JsonObject json = Tokenizer();
        json["added_tokens"] = new JsonArray(AddedTokenJson(5, "<sp>", special: true));
        Assert.Contains("added_tokens[0]", LoadFails(json.ToJsonString()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_paths_are_refused_with_what_was_expected()
    {
        var missing = Assert.Throws<AlloyInputException>(() => BpeTokenizer.Load(Path.Combine(folder, "nope")));
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
        var empty = Assert.Throws<AlloyInputException>(() => BpeTokenizer.Load(folder));
        Assert.Contains("has no tokenizer.json", empty.Message, StringComparison.Ordinal);
    }
}
