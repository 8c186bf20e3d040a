// Weights read straight from a memory-mapped checkpoint: each tensor's bytes are the mapped file pages,
// never copied or converted. It does not own the checkpoint's lifetime unless asked to.
using System.Buffers;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;

namespace Alloy.Inference.Transformer;

/// <summary>An <see cref="IWeightSource"/> over an open <see cref="Checkpoint"/> (zero-copy).</summary>
public sealed class CheckpointWeightSource : IWeightSource, IDisposable
{
    private readonly Checkpoint _checkpoint;
    private readonly bool _ownsCheckpoint;

    /// <summary>Wraps <paramref name="checkpoint"/>; when <paramref name="ownsCheckpoint"/>, disposing this disposes it.</summary>
    /// <exception cref="AlloyInputException">The checkpoint has no config.json.</exception>
    public CheckpointWeightSource(Checkpoint checkpoint, bool ownsCheckpoint = false)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        _checkpoint = checkpoint;
        _ownsCheckpoint = ownsCheckpoint;
        Config = checkpoint.RequireConfig();
    }

    /// <summary>Opens the model folder at <paramref name="folder"/> and owns it.</summary>
    /// <exception cref="AlloyInputException">Not a readable model folder.</exception>
    public static CheckpointWeightSource Open(string folder) => new(Checkpoint.Open(folder), ownsCheckpoint: true);

    /// <inheritdoc />
    public string Description => _checkpoint.Folder;

    /// <inheritdoc />
    public ModelConfig Config { get; }

    /// <inheritdoc />
    public unsafe bool TryGetWeight(string name, out WeightTensor tensor)
    {
        if (!_checkpoint.TryGetTensor(name, out var found))
        {
            tensor = null!;
            return false;
        }
        if (found.Info.ByteLength > int.MaxValue)
            throw new AlloyInputException($"{_checkpoint.Path}: tensor '{name}' is {found.Info.ByteLength} bytes; the embedded engine binds tensors up to 2 GiB each");
        var bytes = found.GetBytes();
        var pointer = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(bytes));
        tensor = new WeightTensor(found.DType, found.Info.Shape, new MappedMemory(pointer, bytes.Length).Memory);
        return true;
    }

    /// <summary>Disposes the checkpoint when this source owns it.</summary>
    public void Dispose()
    {
        if (_ownsCheckpoint)
            _checkpoint.Dispose();
    }

    /// <summary>Memory over mapped file pages; pinning is a no-op because mapped pages never move.</summary>
    private sealed unsafe class MappedMemory(byte* pointer, int length) : MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => new(pointer, length);

        public override MemoryHandle Pin(int elementIndex = 0) => new(pointer + elementIndex);

        public override void Unpin() { }

        protected override void Dispose(bool disposing) { }
    }
}
