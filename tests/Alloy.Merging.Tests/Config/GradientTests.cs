// Gradient interpolation against values computed by hand from mergekit's rule:
// t = i/(L-1) (t = 1 for a one-layer slice, t = 0 outside the layers), s = t(N-1), linear between anchors.
using Alloy.Merging.Config;

namespace Alloy.Merging.Tests.Config;

public class GradientTests
{
    private static readonly SourcePosition At = new("test.yml", 1, 1);

    private static GradientParameterValue Gradient(params double[] anchors) => new([.. anchors], At);

    [Fact]
    public void Three_anchors_over_five_layers()
    {
        // t = 0, 1/4, 1/2, 3/4, 1; s = 2t = 0, 0.5, 1, 1.5, 2.
        var gradient = Gradient(0, 0.5, 1);
        double[] expected = [0, 0.25, 0.5, 0.75, 1];
        for (var layer = 0; layer < 5; layer++)
            Assert.Equal(expected[layer], gradient.Resolve("model.layers.x.mlp.up_proj.weight", layer, 5)!.Value.Number, 15);
    }

    [Fact]
    public void Uneven_anchors_over_four_layers()
    {
        // t = 0, 1/3, 2/3, 1; s = 2t = 0, 2/3, 4/3, 2.
        // layer 1: (1/3)·1 + (2/3)·0.7 = 0.8; layer 2: (2/3)·0.7 + (1/3)·0.1 = 0.5.
        var gradient = Gradient(1, 0.7, 0.1);
        Assert.Equal(1.0, gradient.Resolve("w", 0, 4)!.Value.Number, 12);
        Assert.Equal(0.8, gradient.Resolve("w", 1, 4)!.Value.Number, 12);
        Assert.Equal(0.5, gradient.Resolve("w", 2, 4)!.Value.Number, 12);
        Assert.Equal(0.1, gradient.Resolve("w", 3, 4)!.Value.Number, 12);
    }

    [Fact]
    public void Five_anchors_over_forty_layers_at_layer_thirteen()
    {
        // t = 13/39 = 1/3, s = 4/3: between anchors 1 (0.5) and 2 (0.3), one third of the way.
        var gradient = Gradient(0, 0.5, 0.3, 0.7, 1);
        Assert.Equal(0.5 - 0.2 / 3, gradient.Resolve("w", 13, 40)!.Value.Number, 12);
    }

    [Fact]
    public void Tensors_outside_the_layers_take_the_first_anchor()
    {
        var gradient = Gradient(0.2, 0.9, 0.4);
        Assert.Equal(0.2, gradient.Resolve("model.embed_tokens.weight", null, 36)!.Value.Number);
        Assert.Equal(0.2, gradient.Resolve("lm_head.weight", null, 36)!.Value.Number);
        Assert.Equal(0.2, gradient.Resolve("model.norm.weight", null, 36)!.Value.Number);
    }

    [Fact]
    public void A_one_layer_slice_takes_the_last_anchor()
    {
        Assert.Equal(0.4, Gradient(0.2, 0.9, 0.4).Resolve("w", 0, 1)!.Value.Number);
    }

    [Fact]
    public void A_single_anchor_is_constant()
    {
        var gradient = Gradient(0.3);
        for (var layer = 0; layer < 7; layer++) Assert.Equal(0.3, gradient.Resolve("w", layer, 7)!.Value.Number);
        Assert.Equal(0.3, gradient.Resolve("w", null, 7)!.Value.Number);
    }

    [Fact]
    public void More_anchors_than_layers_samples_between_them()
    {
        // 5 anchors over 2 layers: t = 0 and 1 hit the first and last anchors only.
        var gradient = Gradient(1, 100, 100, 100, 2);
        Assert.Equal(1, gradient.Resolve("w", 0, 2)!.Value.Number);
        Assert.Equal(2, gradient.Resolve("w", 1, 2)!.Value.Number);
    }

    [Fact]
    public void Interpolation_is_monotone_between_anchors_over_many_layers()
    {
        var gradient = Gradient(0, 1);
        var previous = -1.0;
        for (var layer = 0; layer < 64; layer++)
        {
            var value = gradient.Resolve("w", layer, 64)!.Value.Number;
            Assert.Equal(layer / 63.0, value, 14);
            Assert.True(value > previous);
            previous = value;
        }
    }

    [Theory]
    [InlineData(-1, 5)]
    [InlineData(5, 5)]
    [InlineData(0, 0)]
    public void A_layer_outside_the_slice_is_a_programming_error(int layer, int count)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Gradient(0, 1).Resolve("w", layer, count));
    }

    [Fact]
    public void Gradient_from_yaml_keeps_its_anchors_and_position()
    {
        var config = MergeConfigParser.Parse(
            "merge_method: linear\nmodels:\n  - model: a\n    parameters:\n      weight: [0, 0.5, 1]\n", "g.yml");
        var (name, namePosition, value) = config.Models[0].Parameters.Entries[0];
        Assert.Equal("weight", name);
        Assert.Equal(new SourcePosition("g.yml", 5, 7), namePosition);
        var gradient = Assert.IsType<GradientParameterValue>(value);
        Assert.Equal([0, 0.5, 1], gradient.Anchors.ToArray());
        Assert.Equal(new SourcePosition("g.yml", 5, 15), gradient.Position);
        Assert.Equal(0.75, gradient.Resolve("w", 3, 5)!.Value.Number);
    }
}
