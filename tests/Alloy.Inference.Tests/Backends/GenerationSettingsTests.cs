// Tests of GenerationSettings validation and canonical JSON, and of GenerationRequest's seeds and indices.
// They do not touch HTTP (OpenAiGeneratorTests does).
using System.Text.Json.Nodes;
using Alloy.Inference.Backends;
using Alloy.Tensors;

namespace Alloy.Inference.Tests.Backends;

public sealed class GenerationSettingsTests
{
    private static readonly GenerationSettings Valid = new(0.6, 0.95, 20, 0, 0, 1024, [], 0, null);

    [Theory]
    [InlineData(double.NaN, 0.95, 0.0, 0.0, "temperature")]
    [InlineData(-0.1, 0.95, 0.0, 0.0, "temperature")]
    [InlineData(double.PositiveInfinity, 0.95, 0.0, 0.0, "temperature")]
    [InlineData(0.6, 0.0, 0.0, 0.0, "top_p")]
    [InlineData(0.6, 1.01, 0.0, 0.0, "top_p")]
    [InlineData(0.6, 0.95, 1.5, 0.0, "min_p")]
    [InlineData(0.6, 0.95, 0.0, 2.5, "presence_penalty")]
    public void Out_of_range_numbers_are_named(double temperature, double topP, double minP, double presence, string field)
    {
        var settings = Valid with { Temperature = temperature, TopP = topP, MinP = minP, PresencePenalty = presence };
        var error = Assert.Throws<AlloyInputException>(settings.Validate);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Integer_fields_and_stop_strings_are_checked()
    {
        Assert.Contains("top_k", Assert.Throws<AlloyInputException>((Valid with { TopK = -1 }).Validate).Message, StringComparison.Ordinal);
        Assert.Contains("max_tokens", Assert.Throws<AlloyInputException>((Valid with { MaxTokens = 0 }).Validate).Message, StringComparison.Ordinal);
        Assert.Contains("stop[1]", Assert.Throws<AlloyInputException>((Valid with { Stop = ["a", ""] }).Validate).Message, StringComparison.Ordinal);
        Valid.Validate();
    }

    [Fact]
    public void Canonical_json_is_stable_and_carries_every_field()
    {
        var settings = Valid with { Stop = ["\n\n"], EnableThinking = true, Seed = 42 };
        var json = settings.ToCanonicalJson();
        Assert.Equal(json, (settings with { Stop = ["\n\n"] }).ToCanonicalJson());
        Assert.NotEqual(json, (settings with { TopP = 0.9 }).ToCanonicalJson());
        var parsed = JsonNode.Parse(json)!.AsObject();
        Assert.Equal(
            ["temperature", "top_p", "top_k", "min_p", "presence_penalty", "max_tokens", "stop", "seed", "enable_thinking"],
            parsed.Select(pair => pair.Key).ToArray());
        Assert.Equal(0.6, parsed["temperature"]!.GetValue<double>());
        Assert.True(parsed["enable_thinking"]!.GetValue<bool>());
        Assert.Null(JsonNode.Parse(Valid.ToCanonicalJson())!["enable_thinking"]);
    }

    [Fact]
    public void Requests_number_seeds_from_the_base_seed_by_sample_index()
    {
        var request = new GenerationRequest(GenerationPrompt.User("q"), Valid, [5, 2], 100);
        Assert.Equal([5, 2], request.SampleIndices);
        Assert.Equal(105, request.SeedFor(5));
        Assert.Equal([0, 1, 2], new GenerationRequest(GenerationPrompt.User("q"), Valid, 3, 0).SampleIndices);
        Assert.Throws<ArgumentException>(() => new GenerationRequest(GenerationPrompt.User("q"), Valid, [1, 1], 0));
        Assert.Throws<ArgumentException>(() => new GenerationRequest(GenerationPrompt.User("q"), Valid, [-1], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GenerationRequest(GenerationPrompt.User("q"), Valid, 0, 0));
    }
}
