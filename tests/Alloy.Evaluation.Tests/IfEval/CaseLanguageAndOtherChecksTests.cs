// Hand-written pass/fail cases for change_case:*, language:*, combination:*, startend:* and punctuation:* checks.
using static Alloy.Evaluation.Tests.IfEval.IfEvalTestSupport;

namespace Alloy.Evaluation.Tests.IfEval;

public class CaseLanguageAndOtherChecksTests
{
    private const string EnglishParagraph = "This is a short paragraph written in plain English about the weather, which has been rainy all week.";
    private const string GermanParagraph = "Dies ist ein kurzer Absatz auf Deutsch über das Wetter, das die ganze Woche regnerisch war.";
    private const string HindiParagraph = "भारत एक विशाल देश है जिसकी संस्कृति बहुत पुरानी और समृद्ध है। यहाँ अनेक भाषाएँ बोली जाती हैं।";
    private const string KannadaParagraph = "ಕರ್ನಾಟಕ ಭಾರತದ ಒಂದು ರಾಜ್ಯ. ಇಲ್ಲಿ ಕನ್ನಡ ಭಾಷೆಯನ್ನು ಮಾತನಾಡುತ್ತಾರೆ ಮತ್ತು ಅನೇಕ ಸುಂದರ ಸ್ಥಳಗಳಿವೆ.";

    [Theory]
    [InlineData("de", GermanParagraph, true)]
    [InlineData("de", EnglishParagraph, false)]
    [InlineData("hi", HindiParagraph, true)]
    [InlineData("hi", GermanParagraph, false)]
    [InlineData("kn", KannadaParagraph, true)]  // Kannada: recognised by its own script
    [InlineData("kn", HindiParagraph, false)]
    [InlineData("de", "12345 !!! 678", true)]   // edge: no letters = undetectable = followed, as upstream
    public void Response_language(string language, string response, bool expected) =>
        Assert.Equal(expected, Follows("language:response_language", $$"""{"language": "{{language}}"}""", response));

    [Fact]
    public void Response_language_edge_devanagari_languages_are_told_apart_by_function_words()
    {
        const string Nepali = "नेपाल एक सुन्दर देश हो। यहाँ धेरै हिमालहरू छन् र मानिसहरू मिलनसार छन्।";
        Assert.True(Follows("language:response_language", """{"language": "ne"}""", Nepali));
        Assert.False(Follows("language:response_language", """{"language": "hi"}""", Nepali));
        Assert.False(Follows("language:response_language", """{"language": "ne"}""", HindiParagraph));
    }

    [Theory]
    [InlineData("I DON'T KNOW", true)]            // I, DO, N'T, KNOW: contractions split as nltk does
    [InlineData("The USA and the UK agree.", false)] // USA, UK: 2 < 3
    [InlineData("WE CANNOT", true)]               // WE, CAN, NOT
    public void Capital_word_frequency_at_least(string response, bool expected) =>
        Assert.Equal(expected, Follows("change_case:capital_word_frequency", """{"capital_frequency": 3, "capital_relation": "at least"}""", response));

    [Theory]
    [InlineData("The USA and the UK, 2024.", true)]   // 2 capital words; digits are not capitals
    [InlineData("NASA, the USA and the UK.", false)]  // boundary: 3 is not "less than 3"
    public void Capital_word_frequency_less_than(string response, bool expected) =>
        Assert.Equal(expected, Follows("change_case:capital_word_frequency", """{"capital_frequency": 3, "capital_relation": "less than"}""", response));

    [Theory]
    [InlineData("THIS IS A SHORT PARAGRAPH WRITTEN IN PLAIN ENGLISH ABOUT THE WEATHER, WHICH HAS BEEN RAINY ALL WEEK.", true)]
    [InlineData("THIS IS A SHORT PARAGRAPH WRITTEN IN PLAIN ENGLISH ABOUT THE WEATHER, which has been rainy.", false)]
    [InlineData("DIES IST EIN KURZER ABSATZ AUF DEUTSCH ÜBER DAS WETTER, DAS DIE GANZE WOCHE REGNERISCH WAR.", false)]
    public void English_capital(string response, bool expected) =>
        Assert.Equal(expected, Follows("change_case:english_capital", "{}", response));

    [Theory]
    [InlineData("this is a short paragraph written in plain english about the weather, which has been rainy all week.", true)]
    [InlineData(EnglishParagraph, false)]
    [InlineData("dies ist ein kurzer absatz auf deutsch über das wetter, das die ganze woche regnerisch war.", false)]
    public void English_lowercase(string response, bool expected) =>
        Assert.Equal(expected, Follows("change_case:english_lowercase", "{}", response));

    [Theory]
    [InlineData("First answer.\n******\nSecond answer.", true)]
    [InlineData("******\nFirst answer.\n******\nSecond answer.\n******", true)] // edge: outer separators allowed
    [InlineData("Same.\n******\n Same. ", false)]                               // must differ after trimming
    [InlineData("First.\n******\n\n******\nSecond.", false)]                    // empty middle response
    [InlineData("Only one answer.", false)]
    public void Two_responses(string response, bool expected) =>
        Assert.Equal(expected, Follows("combination:two_responses", "{}", response));

    [Theory]
    [InlineData("  write a POEM about cats. Here it is: ...", true)] // case-insensitive, leading space ignored
    [InlineData("Sure! Write a poem about cats.", false)]
    public void Repeat_prompt(string response, bool expected) =>
        Assert.Equal(expected, Follows("combination:repeat_prompt", """{"prompt_to_repeat": "Write a poem about cats."}""", response));

    [Theory]
    [InlineData("\"Some text. any other questions?\"  ", true)] // outer quotes and case ignored
    [InlineData("Some text. Any other questions? Thanks!", false)]
    [InlineData("Some text. Any other questions", false)]
    public void End_checker(string response, bool expected) =>
        Assert.Equal(expected, Follows("startend:end_checker", """{"end_phrase": "Any other questions?"}""", response));

    [Theory]
    [InlineData("  \"Hello, world.\"\n", true)]
    [InlineData("\"", false)]                      // edge: a lone quote is not wrapped text
    [InlineData("\"Hello\" she said.", false)]
    [InlineData("\u201CHello\u201D", false)]       // curly quotes are not '"'
    public void Quotation(string response, bool expected) =>
        Assert.Equal(expected, Follows("startend:quotation", "{}", response));

    [Theory]
    [InlineData("No commas here at all.", true)]
    [InlineData("全角，逗号", true)] // a full-width comma is not ','
    [InlineData("Yes, one comma.", false)]
    public void No_comma(string response, bool expected) =>
        Assert.Equal(expected, Follows("punctuation:no_comma", "{}", response));
}
