// Where a transformer's weights come from: a checkpoint on disk (memory-mapped) or an in-memory model
// (a merge result evaluated without writing it). This file only names and shapes tensors; it computes nothing.
using System.Collections.Immutable;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;

namespace Alloy.Inference.Transformer;

/// <summary>
/// A named set of weight tensors plus the model's config.json. Implemented by
/// <see cref="CheckpointWeightSource"/> (zero-copy over a memory-mapped checkpoint) and
/// <see cref="InMemoryWeightSource"/> (a dictionary of tensors). Bytes stay valid while the source lives.
/// </summary>
public interface IWeightSource
{
    /// <summary>What to call the source in messages: a folder path, or a caller-given label.</summary>
    string Description { get; }

    /// <summary>The model's config.json.</summary>
    ModelConfig Config { get; }

    /// <summary>Looks a tensor up by its Hugging Face name (e.g. <c>model.layers.0.mlp.up_proj.weight</c>).</summary>
    bool TryGetWeight(string name, out WeightTensor tensor);
}

/// <summary>
/// One weight tensor: element type, dimensions and its little-endian bytes (row-major, C order).
/// </summary>
/// <param name="DType">Element type of <paramref name="Bytes"/>.</param>
/// <param name="Shape">Dimensions; the product times the element size equals the byte length.</param>
/// <param name="Bytes">The tensor's bytes, not copied.</param>
public sealed record WeightTensor(DType DType, ImmutableArray<long> Shape, ReadOnlyMemory<byte> Bytes)
{
    /// <summary>Wraps a float array as an F32 tensor without copying it (the array is pinned while bound).</summary>
    /// <exception cref="ArgumentException">The shape's element count differs from the array's length.</exception>
    public static WeightTensor FromFloats(float[] values, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(shape);
        var count = shape.Aggregate(1L, (a, d) => a * d);
        if (count != values.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] holds {count} elements but the array has {values.Length}", nameof(shape));
        return new WeightTensor(DType.F32, [.. shape], new FloatBytesMemory(values).Memory);
    }

    /// <summary>Wraps bytes already in <paramref name="dtype"/> layout, checking that their length fits the shape.</summary>
    /// <exception cref="ArgumentException">The byte length is not element count × element size.</exception>
    public static WeightTensor FromBytes(DType dtype, ReadOnlyMemory<byte> bytes, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var count = shape.Aggregate(1L, (a, d) => a * d);
        if (count * dtype.SizeOf() != bytes.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] in {dtype} needs {count * dtype.SizeOf()} bytes but {bytes.Length} were given", nameof(bytes));
        return new WeightTensor(dtype, [.. shape], bytes);
    }
}
