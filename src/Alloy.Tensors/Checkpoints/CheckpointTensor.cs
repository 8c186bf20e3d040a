// One tensor of a checkpoint: its header entry and the shard file that holds it.
using Alloy.Tensors.Conversions;
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

    /// <summary>
    /// Reads elements <c>[startElement, startElement + destination.Length)</c> as fp32 with positional
    /// reads through <paramref name="scratch"/> (any size of at least one element), converting as
    /// <see cref="DTypeConversions.ToFloat32"/> does. Streams once; takes no page faults on a mapping.
    /// </summary>
    public void ReadFloat32(long startElement, Span<float> destination, Span<byte> scratch)
    {
        var size = DType.SizeOf();
        var perChunk = scratch.Length / size;
        if (perChunk == 0)
            throw new ArgumentException($"scratch must hold at least one {DType.ToSafetensorsName()} element", nameof(scratch));
        for (var done = 0; done < destination.Length;)
        {
            var n = Math.Min(perChunk, destination.Length - done);
            var bytes = scratch[..(n * size)];
            File.Read(Info, (startElement + done) * size, bytes);
            DTypeConversions.ToFloat32(bytes, DType, destination.Slice(done, n));
            done += n;
        }
    }
}
