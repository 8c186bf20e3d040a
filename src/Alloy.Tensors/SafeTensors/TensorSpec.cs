// What a writer needs to know about a tensor before its bytes arrive: name, dtype and shape.
using System.Collections.Immutable;

namespace Alloy.Tensors.SafeTensors;

/// <summary>A tensor to be written: its bytes follow later, in order, through a writer.</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="DType">Element type of the bytes that will be written.</param>
/// <param name="Shape">Dimensions; empty for a scalar.</param>
public sealed record TensorSpec(string Name, DType DType, ImmutableArray<long> Shape)
{
    /// <summary>Number of bytes the tensor occupies: product of the shape × element size.</summary>
    public long ByteLength => checked(TensorInfo.ElementCountOf(Shape) * DType.SizeOf());

    /// <summary>Creates a spec from a shape given as numbers.</summary>
    public static TensorSpec Of(string name, DType dtype, params long[] shape) => new(name, dtype, [.. shape]);
}
