// Where merged tensors go: a sharded safetensors folder on disk, or a dictionary in memory (for
// evaluating a merge without writing it). Sinks receive tensors in plan order.
using System.Collections.Immutable;
using Alloy.Merging.Plan;
using Alloy.Tensors;
using Alloy.Tensors.SafeTensors;

namespace Alloy.Merging.Execution;

/// <summary>Receives output tensors in plan order.</summary>
public interface ITensorSink
{
    /// <summary>Takes the bytes of <paramref name="tensor"/> (little-endian, in its dtype); the span is not kept.</summary>
    void Add(PlannedTensor tensor, ReadOnlySpan<byte> bytes);

    /// <summary>Called once after the last tensor.</summary>
    void Complete();
}

/// <summary>Writes output tensors as HF shards through <see cref="ShardedSafetensorsWriter"/> into an existing folder.</summary>
public sealed class ShardedFolderSink : ITensorSink, IDisposable
{
    private readonly ShardedSafetensorsWriter _writer;

    /// <summary>Plans the shards for <paramref name="plan"/>'s tensors in <paramref name="folder"/>.</summary>
    public ShardedFolderSink(string folder, MergePlan plan, long maxShardBytes, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _writer = new ShardedSafetensorsWriter(folder, [.. plan.Tensors.Select(t => new TensorSpec(t.Name, t.DType, t.Shape))], maxShardBytes, metadata);
    }

    /// <summary>The shard file names.</summary>
    public IReadOnlyList<string> FileNames => _writer.FileNames;

    /// <inheritdoc/>
    public void Add(PlannedTensor tensor, ReadOnlySpan<byte> bytes) => _writer.Write(bytes);

    /// <inheritdoc/>
    public void Complete() => _writer.Complete();

    /// <summary>Closes the shards; incomplete ones are deleted.</summary>
    public void Dispose() => _writer.Dispose();
}

/// <summary>A tensor held in memory: dtype, shape and little-endian bytes.</summary>
public sealed record MemoryTensor(string Name, DType DType, ImmutableArray<long> Shape, byte[] Bytes);

/// <summary>Keeps output tensors in memory, by name.</summary>
public sealed class MemorySink : ITensorSink
{
    private readonly Dictionary<string, MemoryTensor> _tensors = new(StringComparer.Ordinal);

    /// <summary>The tensors received so far.</summary>
    public IReadOnlyDictionary<string, MemoryTensor> Tensors => _tensors;

    /// <summary>True after <see cref="Complete"/>.</summary>
    public bool IsComplete { get; private set; }

    /// <inheritdoc/>
    public void Add(PlannedTensor tensor, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        _tensors.Add(tensor.Name, new MemoryTensor(tensor.Name, tensor.DType, tensor.Shape, bytes.ToArray()));
    }

    /// <inheritdoc/>
    public void Complete() => IsComplete = true;
}
