// Tests of spectrum.csv: DESIGN.md's header, values and flags on MI's Table 2, RFC 4180 quoting, invariant culture.
namespace Alloy.Analysis.Tests;

using System.Globalization;
using System.Text;

public class SpectrumCsvWriterTests
{
    private const string Header =
        "variant,method,lambda,params,benchmark,mean_at_k,pass_at_k,mean_tokens,think_ratio,truncated_ratio,pareto_vs_thinking,pareto_vs_instruct,on_frontier";

    [Fact]
    public void Mi_table2_rows_carry_the_values_and_the_pareto_flags()
    {
        string csv = SpectrumCsvWriter.ToCsv(ParetoAnalysis.Analyze(MiTable2.Spectrum()));

        string[] lines = csv.Split("\r\n");
        Assert.Equal(11, lines.Length); // header, 9 rows, and the empty string after the final CRLF
        Assert.Equal(Header, lines[0]);
        Assert.Equal("", lines[^1]);
        Assert.Equal("linear-0,linear,0,,aime25,0.466,0.767,15097,0,0,false,false,false", lines[1]);
        Assert.Equal("linear-0.5,linear,0.5,,aime25,0.625,0.9,11189,0.596,0,false,true,true", lines[5]);
        Assert.Equal("linear-0.8,linear,0.8,,aime25,0.805,0.933,17574,0.999,0,true,false,true", lines[8]);
        Assert.Equal("linear-1,linear,1,,aime25,0.804,0.9,22813,0.999,0,false,false,false", lines[9]);
    }

    [Fact]
    public void Absent_values_are_empty_fields()
    {
        var spectrum = new Spectrum([MiTable2.Point("cfg", 0.25, 123.5, benchmark: "gpqa")]);

        string csv = SpectrumCsvWriter.ToCsv(ParetoAnalysis.Analyze(spectrum));

        Assert.Equal(Header + "\r\ncfg,linear,,,gpqa,0.25,,123.5,0,0,,,true\r\n", csv);
    }

    [Fact]
    public void Fields_with_commas_quotes_or_line_breaks_are_quoted_and_round_trip()
    {
        var parameters = new Dictionary<string, string> { ["modules"] = "attention,mlp", ["layers"] = "12-35" };
        string variant = "my \"best\" merge\nv2";
        var spectrum = new Spectrum([MiTable2.Point(variant, 0.5, 10, lambda: 0.8, benchmark: "my,task", parameters: parameters)]);

        string csv = SpectrumCsvWriter.ToCsv(ParetoAnalysis.Analyze(spectrum));

        Assert.Contains("\"my \"\"best\"\" merge\nv2\",linear,0.8,\"layers=12-35;modules=attention,mlp\",\"my,task\",", csv, StringComparison.Ordinal);
        List<List<string>> records = ParseRfc4180(csv);
        Assert.Equal(2, records.Count);
        Assert.Equal(13, records[1].Count);
        Assert.Equal(variant, records[1][0]);
        Assert.Equal("layers=12-35;modules=attention,mlp", records[1][3]);
        Assert.Equal("my,task", records[1][4]);
    }

    [Fact]
    public void Numbers_ignore_the_current_culture()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        comma.NumberFormat.NumberGroupSeparator = ".";
        try
        {
            CultureInfo.CurrentCulture = comma;
            Assert.Equal("0,5", 0.5.ToString(CultureInfo.CurrentCulture)); // the culture is in effect
            string csv = SpectrumCsvWriter.ToCsv(ParetoAnalysis.Analyze(MiTable2.Spectrum()));
            Assert.Contains("\r\nlinear-0.45,linear,0.45,,aime25,0.585,0.933,11290,0.144,0,false,true,false\r\n", csv, StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("cr\rlf", "\"cr\rlf\"")]
    public void Quote_follows_rfc4180(string field, string expected) => Assert.Equal(expected, SpectrumCsvWriter.Quote(field));

    // A small independent RFC 4180 reader (quoted fields, doubled quotes, CRLF record ends) to check round trips.
    private static List<List<string>> ParseRfc4180(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { record.Add(field.ToString()); field.Clear(); }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                record.Add(field.ToString());
                field.Clear();
                records.Add(record);
                record = [];
                i++;
            }
            else field.Append(c);
        }
        Assert.Empty(record);
        Assert.Equal(0, field.Length);
        return records;
    }
}
