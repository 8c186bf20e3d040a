// One projection matrix bound for the lifetime of a model: pinned bytes in their stored dtype
// (bf16 or f32), never converted. Applying it calls the MatMul kernel.
using System.Buffers;
using Alloy.Inference.Kernels;
using Alloy.Tensors;

namespace Alloy.Inference.Transformer;

/// <summary>A weight matrix W of shape [Rows, Cols] (out × in), applied as y = x·Wᵀ.</summary>
public sealed unsafe class LinearWeight : IDisposable
{
    private MemoryHandle _pin;
    private readonly byte* _bytes;

    internal LinearWeight(string name, WeightTensor tensor, int rows, int cols)
    {
        Name = name;
        DType = tensor.DType;
        Rows = rows;
        Cols = cols;
        _pin = tensor.Bytes.Pin();
        _bytes = (byte*)_pin.Pointer;
    }

    /// <summary>The tensor's name.</summary>
    public string Name { get; }

    /// <summary>Stored element type (F32 or BF16).</summary>
    public DType DType { get; }

    /// <summary>Output features.</summary>
    public int Rows { get; }

    /// <summary>Input features.</summary>
    public int Cols { get; }

    /// <summary>Bytes of weight data read per application.</summary>
    public long ByteLength => (long)Rows * Cols * DType.SizeOf();

    /// <summary>
    /// y[t, :] = W·x[t, :] for t &lt; tokens; x is [tokens, Cols], y is [tokens, Rows]. A single token (decode,
    /// bandwidth-bound) runs at 256 bits where accelerated: on the AVX-512 machine measured (2 shared cores),
    /// the 256-bit bf16 matrix-vector loop streamed 4.6–7.9 GB/s against a 3.8–8.6 GB/s plain read of the
    /// same bytes, the 512-bit one 3.8–4.3 GB/s. Prefill tiles use the widest width.
    /// </summary>
    internal void Apply(float* x, float* y, int tokens)
    {
        var width = tokens == 1 && VectorWidths.IsAccelerated(VectorWidth.Vector256) ? VectorWidth.Vector256 : VectorWidths.Best;
        MatMul.Multiply(_bytes, DType, Rows, Cols, x, y, tokens, width);
    }

    /// <summary>Row <paramref name="row"/> widened to f32 (used for embedding lookups).</summary>
    internal void ReadRow(int row, Span<float> destination)
    {
        var elementSize = DType.SizeOf();
        var bytes = new ReadOnlySpan<byte>(_bytes + (long)row * Cols * elementSize, Cols * elementSize);
        Alloy.Tensors.Conversions.DTypeConversions.ToFloat32(bytes, DType, destination);
    }

    /// <summary>Releases the pin.</summary>
    public void Dispose() => _pin.Dispose();
}
