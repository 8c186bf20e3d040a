// Stop conditions of one sample: end ids, stop strings across piece boundaries (cut from the text), the token cap.
using Alloy.Inference.Backends;
using Alloy.Inference.Sampling;

namespace Alloy.Inference.Tests.Sampling;

public class StopCheckerTests
{
    [Fact]
    public void An_end_id_stops_without_adding_its_text_but_counts_as_a_token()
    {
        var stop = new StopChecker([7, 9], [], 10);
        Assert.False(stop.Append(1, "ab"));
        Assert.True(stop.Append(9, "<eos>"));
        Assert.Equal(FinishReason.Stop, stop.Finished);
        Assert.Equal("ab", stop.Text);
        Assert.Equal(2, stop.TokenCount);
    }

    [Fact]
    public void A_stop_string_split_across_pieces_is_found_and_cut_with_what_follows()
    {
        var stop = new StopChecker([], ["END", "xyz"], 10);
        Assert.False(stop.Append(1, "hello E"));
        Assert.Equal("hello", stop.TakeStreamable());
        Assert.True(stop.Append(2, "NDtail"));
        Assert.Equal("hello ", stop.Text);
        Assert.Equal(FinishReason.Stop, stop.Finished);
        Assert.Equal(" ", stop.TakeStreamable());
    }

    [Fact]
    public void The_token_cap_ends_with_length()
    {
        var stop = new StopChecker([], [], 3);
        Assert.False(stop.Append(1, "a"));
        Assert.False(stop.Append(1, "b"));
        Assert.True(stop.Append(1, "c"));
        Assert.Equal(FinishReason.Length, stop.Finished);
        Assert.Equal("abc", stop.Text);
        Assert.Throws<InvalidOperationException>(() => stop.Append(1, "d"));
    }
}
