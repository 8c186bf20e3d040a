// tokenizer.json's post_processor: the special tokens HF's tokenizer(text) puts around one sequence (Llama 3's BOS via
// TemplateProcessing, BERT's cls/sep, Sequence, ByteLevel = none), never doubled, and errors for what is not supported.
using System.Text;
using System.Text.Json.Nodes;
using Alloy.Inference.Tokenization;
using Alloy.Tensors;

namespace Alloy.Inference.Tests.Tokenization;

public sealed class PostProcessorTests
{
    // 256 byte tokens (id = byte value) plus <|begin_of_text|> = 256 and <|eot|> = 257, with the given post-processor.
    private static BpeTokenizer Tokenizer(JsonNode? postProcessor)
    {
        var vocab = TinyChatModel.ByteVocabulary();
        var json = new JsonObject
        {
            ["added_tokens"] = new JsonArray(
                new JsonObject { ["id"] = 256, ["content"] = "<|begin_of_text|>", ["special"] = true, ["normalized"] = false, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false },
                new JsonObject { ["id"] = 257, ["content"] = "<|eot|>", ["special"] = true, ["normalized"] = false, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false }),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["use_regex"] = true },
            ["post_processor"] = postProcessor,
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
            ["model"] = new JsonObject { ["type"] = "BPE", ["vocab"] = vocab, ["merges"] = new JsonArray() },
        };
        return TokenizerFileReader.Parse(Encoding.UTF8.GetBytes(json.ToJsonString()), "tokenizer.json", null, "tokenizer_config.json");
    }

    private static JsonObject Llama3Template() => new()
    {
        ["type"] = "TemplateProcessing",
        ["single"] = new JsonArray(
            new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<|begin_of_text|>", ["type_id"] = 0 } },
            new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
        ["special_tokens"] = new JsonObject { ["<|begin_of_text|>"] = new JsonObject { ["id"] = "<|begin_of_text|>", ["ids"] = new JsonArray(256), ["tokens"] = new JsonArray("<|begin_of_text|>") } },
    };

    [Fact]
    public void TemplateProcessing_puts_the_bos_first_once()
    {
        var tokenizer = Tokenizer(new JsonObject { ["type"] = "Sequence", ["processors"] = new JsonArray(new JsonObject { ["type"] = "ByteLevel" }, Llama3Template()) });
        Assert.Equal([256], tokenizer.SequencePrefix);
        Assert.Empty(tokenizer.SequenceSuffix);
        Assert.Equal([256, 'h', 'i'], tokenizer.EncodeWithSpecialTokens("hi"));
        Assert.Equal([256, 'h', 'i'], tokenizer.EncodeWithSpecialTokens("<|begin_of_text|>hi"));
        Assert.Equal(['h', 'i'], tokenizer.Encode("hi"));
    }

    [Fact]
    public void Bert_style_processing_wraps_the_sequence_and_bytelevel_adds_nothing()
    {
        var bert = Tokenizer(new JsonObject { ["type"] = "BertProcessing", ["cls"] = new JsonArray("<|begin_of_text|>", 256), ["sep"] = new JsonArray("<|eot|>", 257) });
        Assert.Equal([256, 'a', 257], bert.EncodeWithSpecialTokens("a"));
        Assert.Equal([256, 'a', 257], bert.EncodeWithSpecialTokens("<|begin_of_text|>a<|eot|>"));
        var plain = Tokenizer(new JsonObject { ["type"] = "ByteLevel" });
        Assert.Equal(['a'], plain.EncodeWithSpecialTokens("a"));
        Assert.Equal(['a'], Tokenizer(null).EncodeWithSpecialTokens("a"));
    }

    [Fact]
    public void Unsupported_or_broken_post_processors_are_named_errors()
    {
        var unknown = Assert.Throws<AlloyInputException>(() => Tokenizer(new JsonObject { ["type"] = "Magic" }));
        Assert.Contains("post_processor.type", unknown.Message, StringComparison.Ordinal);
        var template = Llama3Template();
        template["special_tokens"] = new JsonObject();
        ((JsonObject)((JsonArray)template["single"]!)[0]!)["SpecialToken"]!["id"] = "<|nowhere|>";
        Assert.Contains("<|nowhere|>", Assert.Throws<AlloyInputException>(() => Tokenizer(template)).Message, StringComparison.Ordinal);
    }
}
