// Opens the HTML report in headless Chromium (Debian's /usr/bin/chromium): the screenshot must show the plots (their
// series colours, many colours overall) and the DOM must hold both inline SVG plots with content. Skips without Chromium.
using System.Diagnostics;
using System.Text.RegularExpressions;
using Alloy.Analysis.Reports;
using SkiaSharp;

namespace Alloy.Analysis.Tests.Reports;

public sealed partial class ReportScreenshotTests : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [ChromiumFact]
    public void Headless_chromium_renders_the_report_with_its_plots()
    {
        string run = _temp.Sub("mi");
        MiRunFolder.Write(run);
        ReportFiles files = SweepReportWriter.Write(run);
        string url = new Uri(files.Html).AbsoluteUri;

        string png = _temp.File("shot.png");
        RunChromium($"--screenshot={png} --window-size=1300,1900 {url}", _temp.Sub("profile-shot"));
        string dom = RunChromium($"--dump-dom {url}", _temp.Sub("profile-dom"));

        using SKBitmap shot = SKBitmap.Decode(png) ?? throw new InvalidOperationException($"Chromium wrote no readable PNG at {png}");
        Assert.Equal(1300, shot.Width);
        var colours = new HashSet<uint>();
        int blue = 0, red = 0, nonWhite = 0;
        for (int y = 0; y < shot.Height; y += 2)
        {
            for (int x = 0; x < shot.Width; x += 2)
            {
                SKColor c = shot.GetPixel(x, y);
                colours.Add((uint)c);
                if (c.Red < 245 || c.Green < 245 || c.Blue < 245) nonWhite++;
                if (Near(c, 0x1F, 0x77, 0xB4)) blue++; // the linear series (Category10 blue)
                if (Near(c, 0xD6, 0x27, 0x28)) red++; // the thinking parent's diamond
            }
        }
        Assert.True(colours.Count > 50, $"the screenshot has only {colours.Count} colours; the page looks blank");
        Assert.True(nonWhite > shot.Width * shot.Height / 4 / 50, $"only {nonWhite} sampled pixels are not white");
        Assert.True(blue > 50, $"only {blue} pixels of the linear series' blue: the accuracy plot did not render");
        Assert.True(red > 10, $"only {red} pixels of the thinking parent's red");

        var svgs = SvgElement().Matches(dom).Select(m => m.Value).ToList();
        Assert.Equal(2, svgs.Count);
        Assert.All(svgs, s =>
        {
            Assert.True(Regex.Count(s, "<path") > 20, "an inline SVG plot has almost no paths");
            Assert.Contains("<text", s, StringComparison.Ordinal);
        });
        Assert.Contains("λ=0.8", dom, StringComparison.Ordinal);
    }

    private static bool Near(SKColor c, byte r, byte g, byte b) => Math.Abs(c.Red - r) < 12 && Math.Abs(c.Green - g) < 12 && Math.Abs(c.Blue - b) < 12;

    // A guard against a hung browser, not a timed assertion: the test fails with Chromium's output after 120 s.
    private static string RunChromium(string arguments, string profile)
    {
        var info = new ProcessStartInfo(Chromium,
            $"--headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run --hide-scrollbars --user-data-dir={profile} {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"Chromium did not finish within 120 s: {stderr.Result}");
        }
        Assert.True(process.ExitCode == 0, $"Chromium exited with {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    /// <summary>A fact that is skipped, with the reason, when Debian's Chromium is not installed.</summary>
    private sealed class ChromiumFactAttribute : FactAttribute
    {
        public ChromiumFactAttribute()
        {
            if (!File.Exists(Chromium))
                Skip = $"{Chromium} is not installed (apt-get install chromium; .ci/run installs it when it runs as root with apt); the report screenshot test needs it.";
        }
    }

    [GeneratedRegex("<svg[\\s\\S]*?</svg>")]
    private static partial Regex SvgElement();
}
