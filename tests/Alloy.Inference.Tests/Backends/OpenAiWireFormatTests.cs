// Tests of OpenAiWireFormat's response reading: every way a 200 response can be unusable, and how reasoning is joined.
// Request bodies are checked end to end in OpenAiGeneratorTests.
using System.Text;
using Alloy.Inference.Backends;

namespace Alloy.Inference.Tests.Backends;

public sealed class OpenAiWireFormatTests
{
    private static OpenAiChoice Chat(string json) => OpenAiWireFormat.ParseResponse(Encoding.UTF8.GetBytes(json), chat: true);

    private static string ChatReply(string message, string finish = "\"stop\"", string usage = "{\"completion_tokens\":7,\"prompt_tokens\":3}") =>
        $"{{\"choices\":[{{\"index\":0,\"message\":{message},\"finish_reason\":{finish}}}],\"usage\":{usage}}}";

    [Theory]
    [InlineData("[1,2]", "not an object")]
    [InlineData("{\"object\":\"error\",\"message\":\"out of memory\"}", "no 'choices' array")]
    [InlineData("{\"choices\":[]}", "0 choices")]
    [InlineData("{\"choices\":[{\"message\":{\"content\":\"a\"},\"finish_reason\":\"stop\"},{\"message\":{\"content\":\"b\"},\"finish_reason\":\"stop\"}]}", "2 choices")]
    [InlineData("{\"choices\":[{\"finish_reason\":\"stop\"}]}", "choices[0].message")]
    [InlineData("{\"choices\":[{\"message\":{\"role\":\"assistant\"},\"finish_reason\":\"stop\"}]}", "neither 'content' nor 'reasoning_content'")]
    [InlineData("{\"choices\":[{\"message\":{\"content\":5},\"finish_reason\":\"stop\"}]}", "choices[0].message.content is a JSON Number")]
    [InlineData("{\"choices\":[{\"message\":{\"content\":\"a\"},\"finish_reason\":null}]}", "finish_reason is missing")]
    [InlineData("{\"choices\":[{\"message\":{\"content\":\"a\"},\"finish_reason\":\"tool_calls\"}]}", "\"tool_calls\"")]
    [InlineData("{\"choices\":[{\"message\":{\"content\":\"a\"},\"finish_reason\":\"stop\"}],\"usage\":{\"completion_tokens\":-1}}", "usage.completion_tokens is -1")]
    [InlineData("{\"choices\":[{\"message\":{\"content\":\"a\"},\"finish_reason\":\"stop\"}],\"usage\":{\"completion_tokens\":1.5}}", "usage.completion_tokens is 1.5")]
    [InlineData("{\"choices\":[{\"message\":{\"content\":\"a\"}", "not valid JSON")]
    public void Unusable_responses_say_what_is_wrong(string json, string expected)
    {
        var error = Assert.Throws<OpenAiResponseException>(() => Chat(json));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(error.Transient);
    }

    [Fact]
    public void An_aborted_request_is_transient()
    {
        var error = Assert.Throws<OpenAiResponseException>(() => Chat(ChatReply("{\"content\":\"\"}", "\"abort\"")));
        Assert.True(error.Transient);
    }

    [Fact]
    public void Completions_need_a_text_field()
    {
        var error = Assert.Throws<OpenAiResponseException>(() =>
            OpenAiWireFormat.ParseResponse("{\"choices\":[{\"message\":{\"content\":\"a\"},\"finish_reason\":\"stop\"}]}"u8, chat: false));
        Assert.Contains("choices[0].text", error.Message, StringComparison.Ordinal);
        var choice = OpenAiWireFormat.ParseResponse("{\"choices\":[{\"text\":\" 42\",\"finish_reason\":\"length\"}]}"u8, chat: false);
        Assert.Equal(" 42", choice.JoinedText());
        Assert.Equal(FinishReason.Length, choice.FinishReason);
        Assert.Null(choice.CompletionTokens);
    }

    [Fact]
    public void Reasoning_is_joined_with_think_tags_and_empty_reasoning_is_ignored()
    {
        Assert.Equal("<think>r</think>", Chat(ChatReply("{\"content\":null,\"reasoning_content\":\"r\"}")).JoinedText());
        Assert.Equal("<think>r</think>a", Chat(ChatReply("{\"content\":\"a\",\"reasoning\":\"r\"}", "\"length\"")).JoinedText());
        Assert.Equal("<think>r", Chat(ChatReply("{\"content\":\"\",\"reasoning_content\":\"r\"}", "\"length\"")).JoinedText());
        var plain = Chat(ChatReply("{\"content\":\"<think>x</think>a\",\"reasoning_content\":\"\"}"));
        Assert.Equal("<think>x</think>a", plain.JoinedText());
        Assert.Null(plain.Reasoning);
        Assert.Equal((7, 3), (plain.CompletionTokens, plain.PromptTokens));
    }

    [Fact]
    public void Error_excerpts_are_short_and_on_one_line()
    {
        var excerpt = OpenAiWireFormat.Excerpt(Encoding.UTF8.GetBytes("line one\nline two " + new string('x', 1000)));
        Assert.DoesNotContain('\n', excerpt);
        Assert.True(excerpt.Length <= 204, excerpt);
    }
}
