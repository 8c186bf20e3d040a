// Weights held in memory, e.g. a merged model evaluated without writing it to disk. It stores
// references to the caller's buffers; it neither copies nor converts them.
using System.Buffers;
using System.Runtime.InteropServices;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;

namespace Alloy.Inference.Transformer;

/// <summary>An <see cref="IWeightSource"/> over a dictionary of tensors and a config.</summary>
/// <param name="config">The model's config.json (for a merge, the source model's config).</param>
/// <param name="tensors">Tensor name → tensor.</param>
/// <param name="description">What to call the model in messages.</param>
public sealed class InMemoryWeightSource(ModelConfig config, IReadOnlyDictionary<string, WeightTensor> tensors, string description = "in-memory model") : IWeightSource
{
    /// <inheritdoc />
    public string Description { get; } = description;

    /// <inheritdoc />
    public ModelConfig Config { get; } = config ?? throw new ArgumentNullException(nameof(config));

    /// <summary>The tensors by name.</summary>
    public IReadOnlyDictionary<string, WeightTensor> Tensors { get; } = tensors ?? throw new ArgumentNullException(nameof(tensors));

    /// <inheritdoc />
    public bool TryGetWeight(string name, out WeightTensor tensor) => Tensors.TryGetValue(name, out tensor!);
}

/// <summary>A float array seen as its little-endian bytes; pinning pins the array.</summary>
internal sealed class FloatBytesMemory(float[] values) : MemoryManager<byte>
{
    public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(values.AsSpan());

    public override unsafe MemoryHandle Pin(int elementIndex = 0)
    {
        var handle = GCHandle.Alloc(values, GCHandleType.Pinned);
        return new MemoryHandle((byte*)handle.AddrOfPinnedObject() + elementIndex, handle, this);
    }

    public override void Unpin() { }

    protected override void Dispose(bool disposing) { }
}
