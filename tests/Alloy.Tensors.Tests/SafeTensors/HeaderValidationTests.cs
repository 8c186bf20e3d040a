// Unit tests of SafetensorsHeader.Parse on hand-written headers: what is accepted and what each
// rejection says.
using System.Text;
using Alloy.Tensors.SafeTensors;

namespace Alloy.Tensors.Tests.SafeTensors;

public class HeaderValidationTests
{
    private static SafetensorsHeader Parse(string json, long dataLength) => SafetensorsHeader.Parse(Encoding.UTF8.GetBytes(json), dataLength, "h.safetensors");

    [Fact]
    public void Tensors_come_back_in_data_order_with_metadata()
    {
        var header = Parse("""{"b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]},"__metadata__":{"format":"pt"},"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}   """, 8);
        Assert.Equal(["a", "b"], header.Tensors.Select(t => t.Name));
        Assert.Equal("pt", header.Metadata["format"]);
    }

    [Fact]
    public void Zero_length_tensors_may_share_an_offset()
    {
        var header = Parse("""{"e1":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"e2":{"dtype":"F16","shape":[3,0],"data_offsets":[4,4]}}""", 4);
        Assert.Equal(3, header.Tensors.Length);
    }

    [Fact]
    public void An_empty_header_with_no_data_is_valid()
    {
        Assert.Empty(Parse("{}", 0).Tensors);
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}""", "non-negative integers")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}""", "[begin, end]")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}""", "non-negative integers")]
    [InlineData("""{"a":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}""", "unknown dtype 'f32'")]
    [InlineData("""{"a":{"shape":[1],"data_offsets":[0,4]}}""", "missing string field 'dtype'")]
    [InlineData("""{"a":{"dtype":"F32","data_offsets":[0,4]}}""", "missing array field 'shape'")]
    [InlineData("""{"a":[1,2]}""", "entry must be an object")]
    [InlineData("""{"__metadata__":[],"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", "__metadata__ must be an object")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}} x""", "not valid JSON")]
    [InlineData("""{"a":{"dtype":"F32","shape":[[[[[[[[[1]]]]]]]]],"data_offsets":[0,4]}}""", "not valid JSON")]
    public void Malformed_entries_are_named(string json, string phrase)
    {
        var error = Assert.Throws<SafetensorsFormatException>(() => Parse(json, 4));
        Assert.Contains(phrase, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("h.safetensors: ", error.Message, StringComparison.Ordinal);
    }
}
