// Hand-written pass/fail cases for detectable_format:* and detectable_content:* checks.
using static Alloy.Evaluation.Tests.IfEval.IfEvalTestSupport;

namespace Alloy.Evaluation.Tests.IfEval;

public class FormatAndContentChecksTests
{
    [Theory]
    [InlineData("Dear [name], I live at [address].", true)]
    [InlineData("Dear [], see [x].", true)]        // edge: an empty [] still counts
    [InlineData("Dear [name], I live nearby.", false)]
    [InlineData("Dear [name\n], see [x].", false)] // edge: a placeholder cannot span lines
    public void Placeholders(string response, bool expected) =>
        Assert.Equal(expected, Follows("detectable_content:number_placeholders", """{"num_placeholders": 2}""", response));

    [Theory]
    [InlineData("Body text.\n\nP.S. See you soon.", true)]
    [InlineData("Body text.\np. s. lower case and spaced", true)]
    [InlineData("Body text.\nPS: see you soon.", false)]
    public void Postscript_ps(string response, bool expected) =>
        Assert.Equal(expected, Follows("detectable_content:postscript", """{"postscript_marker": "P.S."}""", response));

    [Theory]
    [InlineData("Body.\nP.P.S. One more thing.", true)]
    [InlineData("Body.\nP.S. Only one.", false)]
    public void Postscript_pps(string response, bool expected) =>
        Assert.Equal(expected, Follows("detectable_content:postscript", """{"postscript_marker": "P.P.S"}""", response));

    [Theory]
    [InlineData("* one\n* two", true)]
    [InlineData("Intro\n  * one\n- two\n**Bold** line", true)] // edge: "**bold**" lines are not bullets
    [InlineData("* one\n* two\n* three", false)]                // exact count: 3 is not 2
    [InlineData("1. one\n2. two", false)]                       // numbered lists are not bullets
    public void Bullet_lists_exact_count(string response, bool expected) =>
        Assert.Equal(expected, Follows("detectable_format:number_bullet_lists", """{"num_bullets": 2}""", response));

    [Theory]
    [InlineData("Let me think. My answer is yes.", true)]
    [InlineData("My answer is maybe.", true)]
    [InlineData("My answer is Yes.", false)] // case-sensitive
    [InlineData("My answer is yes", false)]  // the period is part of the option
    public void Constrained_response(string response, bool expected) =>
        Assert.Equal(expected, Follows("detectable_format:constrained_response", "{}", response));

    [Theory]
    [InlineData("*first* and **second**", true)]
    [InlineData("*only one* here", false)]
    [InlineData("* * and ** ** and ****", false)]   // edge: blank highlights do not count
    [InlineData("*across\nlines* and *x*", false)] // edge: a highlight cannot span lines
    public void Highlighted_sections_at_least(string response, bool expected) =>
        Assert.Equal(expected, Follows("detectable_format:number_highlighted_sections", """{"num_highlights": 2}""", response));

    [Theory]
    [InlineData("SECTION 1\nIntro\nSECTION 2\nBody", true)]
    [InlineData("SECTION 1\nIntro\nSECTION 2\nBody\nSECTION 3\nEnd", true)] // "at least"
    [InlineData("Section 1\nIntro\nSection 2\nBody", false)]              // edge: splitter is case-sensitive
    [InlineData("SECTION 1\nIntro and SECTION two", false)]               // needs a number
    public void Multiple_sections(string response, bool expected) =>
        Assert.Equal(expected, Follows("detectable_format:multiple_sections", """{"section_spliter": "SECTION", "num_sections": 2}""", response));

    [Theory]
    [InlineData("```json\n{\"a\": [1, 2]}\n```", true)] // edge: fenced JSON
    [InlineData("```JSON\n{\"a\": 1}\n```", true)]
    [InlineData("  [1, \"two\", null]  ", true)]
    [InlineData("{\"a\": 1,}", false)]
    [InlineData("Here it is: {\"a\": 1}", false)]
    [InlineData("```json\n{\"a\": 1}\n```\nHope this helps.", false)]
    public void Json_format(string response, bool expected) =>
        Assert.Equal(expected, Follows("detectable_format:json_format", "{}", response));

    [Theory]
    [InlineData("<<My Title>>\nText", true)]
    [InlineData("Text <<<Nested>>> more", true)]
    [InlineData("<< >>\nText", false)]        // edge: blank title
    [InlineData("<<Title\n>> text", false)]   // edge: title must be on one line
    [InlineData("<Title> text", false)]
    public void Title(string response, bool expected) =>
        Assert.Equal(expected, Follows("detectable_format:title", "{}", response));
}
