// Errors a chat template can raise: syntax (with line and column), unknown filters, raise_exception, runtime misuse.
// Messages are Alloy's own; the goldens check that jinja2 fails on the same inputs.
using System.Text.Json;
using Alloy.Inference.Templates;
using Alloy.Tensors;

namespace Alloy.Inference.Tests.Templates;

public sealed class ChatTemplateErrorTests
{
    private static ChatTemplateContext Context(string messagesJson = """[{"role": "user", "content": "hi"}]""") => new()
    {
        Messages = JsonDocument.Parse(messagesJson).RootElement.Clone(),
        AddGenerationPrompt = true,
    };

    private static string Render(string source) => ChatTemplate.Parse(source, "test.jinja").Render(Context());

    [Theory]
    [InlineData("line one\n{% if x %}\nnever closed", 3, "endif")]
    [InlineData("{{ 'unterminated }}", 1, "unterminated string")]
    [InlineData("ok\n\n  {{ 1 + }}", 3, "expected")]
    [InlineData("{% for x in %}{% endfor %}", 1, "expression")]
    [InlineData("{% endfor %}", 1, "without a matching")]
    [InlineData("{% include 'other.jinja' %}", 1, "unsupported tag")]
    [InlineData("{% set ns.x %}", 1, "expected '='")]
    [InlineData("{{ x ) }}", 1, "unexpected ')'")]
    [InlineData("{# never closed", 1, "comment")]
    [InlineData("a{% break %}b", 1, "outside a for loop")]
    [InlineData("{% for i in [1] %}{% macro m() %}\n{% continue %}{% endmacro %}{% endfor %}", 2, "outside a for loop")]
    [InlineData("{{ 'abc' is lower is true }}", 1, "chained")]
    [InlineData("{{ '\\N{BULLET}' }}", 1, "\\N{name}")]
    public void Syntax_errors_name_the_template_and_line(string source, int line, string fragment)
    {
        ChatTemplateException error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(source, "model/tokenizer_config.json"));
        Assert.Equal("model/tokenizer_config.json", error.TemplateName);
        Assert.Equal(line, error.Line);
        Assert.True(error.Column > 0, "syntax errors carry a column");
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"chat template 'model/tokenizer_config.json' line {line}, column {error.Column}: ", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<AlloyInputException>(error);
    }

    [Fact]
    public void Syntax_error_column_points_at_the_offending_token()
    {
        ChatTemplateException error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("ab\ncd {{ 1 + }}", "t"));
        Assert.Equal(2, error.Line);
        Assert.Equal(11, error.Column);
    }

    [Fact]
    public void Unknown_filter_fails_at_parse_time_outside_conditionals()
    {
        ChatTemplateException error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("x\n{{ messages | shout }}", "t"));
        Assert.Equal(2, error.Line);
        Assert.Equal(15, error.Column);
        Assert.Contains("unknown filter 'shout'", error.Message, StringComparison.Ordinal);
        Assert.Contains("tojson", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_filter_inside_if_fails_only_when_applied()
    {
        ChatTemplate template = ChatTemplate.Parse("{% if add_generation_prompt %}ok{% else %}{{ x | shout }}{% endif %}", "t");
        Assert.Equal("ok", template.Render(Context()));
        ChatTemplateException error = Assert.Throws<ChatTemplateException>(() => template.Render(Context() with { AddGenerationPrompt = false }));
        Assert.Contains("No filter named 'shout' found.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_test_fails_at_parse_time_inside_a_loop_body()
    {
        Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("{% if true %}{% for m in messages %}{{ m is shiny }}{% endfor %}{% endif %}", "t"));
    }

    [Fact]
    public void Raise_exception_carries_the_template_message_and_line()
    {
        ChatTemplate template = ChatTemplate.Parse("a\nb\n{% if messages|length < 2 %}{{ raise_exception('Need at least two messages!') }}{% endif %}", "chat_template.jinja");
        ChatTemplateException error = Assert.Throws<ChatTemplateException>(() => template.Render(Context()));
        Assert.Equal("Need at least two messages!", error.Detail);
        Assert.Equal(3, error.Line);
        Assert.Equal("chat template 'chat_template.jinja' line 3: Need at least two messages!", error.Message);
    }

    [Theory]
    [InlineData("{{ missing.attribute }}", "'missing' is undefined")]
    [InlineData("{{ messages[0].nothing.deeper }}", "'dict object' has no attribute 'nothing'")]
    [InlineData("{{ messages[5].role }}", "list object has no element 5")]
    [InlineData("{{ missing + 'x' }}", "'missing' is undefined")]
    [InlineData("{{ 'x' + 1 }}", "unsupported operand types for +: 'str' and 'int'")]
    [InlineData("{{ 1 / 0 }}", "division by zero")]
    [InlineData("{{ messages.append(1) }}", "unsafe")]
    [InlineData("{{ messages[0].pop('role') }}", "unsafe")]
    [InlineData("{{ none.x() }}", "'None' has no attribute 'x'")]
    [InlineData("{{ 5 in 'abc' }}", "requires string as left operand")]
    [InlineData("{% for x in 5 %}{% endfor %}", "'int' object is not iterable")]
    [InlineData("{% set n = 1 %}{% set n.x = 2 %}", "only a namespace() object")]
    [InlineData("{{ {'a': missing}|tojson }}", "not JSON serializable")]
    [InlineData("{{ 'abc'[::0] }}", "slice step cannot be zero")]
    [InlineData("{{ 9223372036854775807 + 1 }}", "overflowed")]
    [InlineData("{{ missing|int }}", "'missing' is undefined")]
    [InlineData("{{ missing|float }}", "'missing' is undefined")]
    [InlineData("{{ 'a' is odd }}", "unsupported operand types for %")]
    public void Runtime_misuse_is_a_template_error(string source, string fragment)
    {
        ChatTemplateException error = Assert.Throws<ChatTemplateException>(() => Render(source));
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.Equal("test.jinja", error.TemplateName);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void Undefined_values_print_empty_and_are_false()
    {
        Assert.Equal("[]|False|0|True|x", Render("[{{ missing }}]|{{ missing is true or missing|length > 0 }}|{{ missing|length }}|{{ missing is undefined }}|{{ missing ~ 'x' }}"));
    }

    [Fact]
    public void Messages_must_be_a_json_array()
    {
        ChatTemplate template = ChatTemplate.Parse("{{ messages }}", "t");
        AlloyInputException error = Assert.Throws<AlloyInputException>(() => template.Render(Context("""{"role": "user"}""")));
        Assert.Contains("must be a JSON array", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extra_variables_cannot_replace_reserved_names()
    {
        ChatTemplate template = ChatTemplate.Parse("{{ messages }}", "t");
        var extra = new Dictionary<string, JsonElement> { ["messages"] = JsonDocument.Parse("[]").RootElement.Clone() };
        AlloyInputException error = Assert.Throws<AlloyInputException>(() => template.Render(Context() with { ExtraVariables = extra }));
        Assert.Contains("'messages'", error.Message, StringComparison.Ordinal);
    }
}
