// One tensor's entry in a safetensors header: name, dtype, shape and its byte range in the data section.
// It holds no data; SafetensorsFile hands out the bytes.
using System.Collections.Immutable;

namespace Alloy.Tensors.SafeTensors;

/// <summary>
/// A validated safetensors header entry. <see cref="Begin"/> and <see cref="End"/> are byte offsets
/// relative to the start of the data section (after the 8-byte length and the JSON header).
/// </summary>
/// <param name="Name">Tensor name, unique within its file.</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Dimensions; empty for a scalar (one element).</param>
/// <param name="Begin">First byte, relative to the data section.</param>
/// <param name="End">One past the last byte, relative to the data section.</param>
public sealed record TensorInfo(string Name, DType DType, ImmutableArray<long> Shape, long Begin, long End)
{
    /// <summary>Number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount => ElementCountOf(Shape);

    /// <summary>Bytes of data: <c>End − Begin</c>, equal to ElementCount × element size once validated.</summary>
    public long ByteLength => End - Begin;

    /// <summary>The shape as text, e.g. "[151936, 2560]".</summary>
    public string ShapeText => FormatShape(Shape);

    /// <summary>Product of the dimensions, or -1 when it overflows a 64-bit integer.</summary>
    public static long ElementCountOf(ImmutableArray<long> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0)
                return -1;
            try { n = checked(n * d); }
            catch (OverflowException) { return -1; }
        }
        return n;
    }

    /// <summary>Formats a shape the way PyTorch prints it, e.g. "[3, 4]".</summary>
    public static string FormatShape(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>True when both entries agree on dtype and shape (names and offsets may differ).</summary>
    public bool HasSameLayout(TensorInfo other) => DType == other.DType && Shape.SequenceEqual(other.Shape);
}
