// One tensor of a checkpoint: its header entry and the shard file that holds it.
using Alloy.Tensors.SafeTensors;

namespace Alloy.Tensors.Checkpoints;

/// <summary>A tensor of a <see cref="Checkpoint"/>, located in one of its shard files.</summary>
/// <param name="Info">The validated header entry.</param>
/// <param name="File">The open shard file that holds the bytes.</param>
public sealed record CheckpointTensor(TensorInfo Info, SafetensorsFile File)
{
    /// <summary>Tensor name.</summary>
    public string Name => Info.Name;

    /// <summary>Element type.</summary>
    public DType DType => Info.DType;

    /// <summary>Number of elements.</summary>
    public long ElementCount => Info.ElementCount;

    /// <summary>The shard's file name (without folder).</summary>
    public string ShardName => System.IO.Path.GetFileName(File.Path);

    /// <summary>All bytes of the tensor, zero-copy (tensors up to 2 GiB).</summary>
    public ReadOnlySpan<byte> GetBytes() => File.GetBytes(Info);

    /// <summary>Bytes <c>[offset, offset + length)</c> of the tensor, zero-copy.</summary>
    public ReadOnlySpan<byte> GetBytes(long offset, int length) => File.GetBytes(Info, offset, length);
}
