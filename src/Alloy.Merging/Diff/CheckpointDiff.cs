// Compares two checkpoints (and optionally their task vectors against a base) tensor by tensor,
// streaming each tensor in fp32 chunks; aggregates by layer and by module. Reports every tensor that
// cannot be compared (missing on one side, shape mismatch) instead of skipping it silently.
using System.Collections.Concurrent;
using Alloy.Merging.Architectures;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;

namespace Alloy.Merging.Diff;

/// <summary>The comparison of one tensor present in both checkpoints with the same shape.</summary>
public sealed record TensorDiff(TensorRole Role, long Elements, DiffSums Sums)
{
    /// <summary>Tensor name.</summary>
    public string Name => Role.Name;
}

/// <summary>Sums aggregated over a group of tensors (a layer, a module, everything).</summary>
public sealed record GroupDiff(string Group, int Tensors, DiffSums Sums);

/// <summary>A tensor that could not be compared, with the reason.</summary>
public sealed record UncomparedTensor(string Name, string Reason);

/// <summary>The result of <see cref="CheckpointDiff.Compute"/>.</summary>
public sealed record DiffReport(
    IReadOnlyList<TensorDiff> Tensors,
    IReadOnlyList<GroupDiff> Layers,
    IReadOnlyList<GroupDiff> Modules,
    GroupDiff Total,
    IReadOnlyList<UncomparedTensor> Uncompared,
    bool HasBase);

/// <summary>Streams two (or three) checkpoints and computes <see cref="DiffReport"/>.</summary>
public static class CheckpointDiff
{
    private const int ChunkElements = 1 << 20;

    /// <summary>
    /// Compares <paramref name="a"/> and <paramref name="b"/> (task vectors against <paramref name="baseModel"/>
    /// when given). Tensors are processed in parallel on up to <paramref name="threads"/> threads;
    /// <paramref name="progress"/> receives bytes of B processed.
    /// </summary>
    public static DiffReport Compute(Checkpoint a, Checkpoint b, Checkpoint? baseModel, int threads, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var uncompared = new List<UncomparedTensor>();
        var work = new List<(CheckpointTensor A, CheckpointTensor B, CheckpointTensor? C)>();
        foreach (var tb in b.Tensors)
        {
            if (!a.TryGetTensor(tb.Name, out var ta))
            {
                uncompared.Add(new UncomparedTensor(tb.Name, $"only in {b.Path}"));
                continue;
            }
            if (!ta.Info.Shape.SequenceEqual(tb.Info.Shape))
            {
                uncompared.Add(new UncomparedTensor(tb.Name, $"shape {ta.Info.ShapeText} in {a.Path} vs {tb.Info.ShapeText} in {b.Path}"));
                continue;
            }
            if (!ta.DType.IsFloat() || !tb.DType.IsFloat())
            {
                uncompared.Add(new UncomparedTensor(tb.Name, $"not a floating-point tensor ({ta.DType.ToSafetensorsName()})"));
                continue;
            }
            CheckpointTensor? tc = null;
            if (baseModel != null)
            {
                if (!baseModel.TryGetTensor(tb.Name, out var c) || !c.Info.Shape.SequenceEqual(tb.Info.Shape) || !c.DType.IsFloat())
                {
                    uncompared.Add(new UncomparedTensor(tb.Name, $"missing from the base {baseModel.Path} or of another shape there"));
                    continue;
                }
                tc = c;
            }
            work.Add((ta, tb, tc));
        }
        foreach (var ta in a.Tensors)
            if (!b.Contains(ta.Name))
                uncompared.Add(new UncomparedTensor(ta.Name, $"only in {a.Path}"));

        var results = new ConcurrentBag<(int Index, TensorDiff Diff)>();
        Parallel.For(0, work.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) },
            () => new Buffers(),
            (i, _, buffers) =>
            {
                var (ta, tb, tc) = work[i];
                results.Add((i, new TensorDiff(TensorNames.Classify(tb.Name), tb.ElementCount, Stream(ta, tb, tc, buffers))));
                progress?.Report(tb.Info.ByteLength);
                return buffers;
            },
            _ => { });

        var tensors = results.OrderBy(r => r.Index).Select(r => r.Diff).ToList();
        var layers = tensors.Where(t => t.Role.Layer != null).GroupBy(t => t.Role.Layer!.Value).OrderBy(g => g.Key)
            .Select(g => Aggregate($"layer {g.Key}", g)).ToList();
        var modules = tensors.GroupBy(t => t.Role.Module).OrderBy(g => g.Key)
            .Select(g => Aggregate(TensorRole.ModuleName(g.Key), g)).ToList();
        return new DiffReport(tensors, layers, modules, Aggregate("all", tensors), uncompared, baseModel != null);
    }

    private static GroupDiff Aggregate(string name, IEnumerable<TensorDiff> tensors)
    {
        var sums = default(DiffSums);
        var count = 0;
        foreach (var t in tensors)
        {
            sums.Add(t.Sums);
            count++;
        }
        return new GroupDiff(name, count, sums);
    }

    private sealed class Buffers
    {
        public readonly byte[] Bytes = new byte[4 << 20];
        public readonly float[] A = new float[ChunkElements];
        public readonly float[] B = new float[ChunkElements];
        public readonly float[] C = new float[ChunkElements];
    }

    private static DiffSums Stream(CheckpointTensor a, CheckpointTensor b, CheckpointTensor? c, Buffers buffers)
    {
        var sums = default(DiffSums);
        var total = b.ElementCount;
        for (long start = 0; start < total; start += ChunkElements)
        {
            var n = (int)Math.Min(ChunkElements, total - start);
            a.ReadFloat32(start, buffers.A.AsSpan(0, n), buffers.Bytes);
            b.ReadFloat32(start, buffers.B.AsSpan(0, n), buffers.Bytes);
            if (c != null)
            {
                c.ReadFloat32(start, buffers.C.AsSpan(0, n), buffers.Bytes);
                DiffKernels.AccumulateWithBase(buffers.A.AsSpan(0, n), buffers.B.AsSpan(0, n), buffers.C.AsSpan(0, n), ref sums);
            }
            else
            {
                DiffKernels.Accumulate(buffers.A.AsSpan(0, n), buffers.B.AsSpan(0, n), ref sums);
            }
        }
        return sums;
    }
}
