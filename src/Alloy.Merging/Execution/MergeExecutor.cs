// Runs a validated MergePlan: reads each output tensor's inputs from the checkpoints (pread, fp32),
// calls the method kernel, converts to the output dtype and hands the bytes to a sink in plan order.
// Tensors are computed in parallel within a memory budget; writing stays in order.
using System.Collections.Immutable;
using System.Diagnostics;
using Alloy.Merging.Methods;
using Alloy.Merging.Plan;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;
using Alloy.Tensors.Conversions;

namespace Alloy.Merging.Execution;

/// <summary>Limits of one execution.</summary>
/// <param name="Threads">Tensors computed at once (at least 1).</param>
/// <param name="MaxMemoryBytes">Budget for the working sets of tensors in flight; a tensor larger than the budget runs alone.</param>
public sealed record ExecutionOptions(int Threads, long MaxMemoryBytes)
{
    /// <summary>All cores, 2 GB.</summary>
    public static ExecutionOptions Default => new(Environment.ProcessorCount, 2L * 1000 * 1000 * 1000);
}

/// <summary>What happened to one output tensor.</summary>
/// <param name="Name">Output tensor name.</param>
/// <param name="Action">"merged" or "copied".</param>
/// <param name="Method">The method name for merged tensors.</param>
/// <param name="Sources">Where the inputs came from, as "model#index:name".</param>
/// <param name="NonFiniteInputs">NaN or ±Inf entries over the fp32 inputs of a merge (0 for copies).</param>
/// <param name="NonFiniteOutputs">NaN or ±Inf entries in the merged output (0 for copies).</param>
public sealed record TensorOutcome(string Name, string Action, string? Method, ImmutableArray<string> Sources, long NonFiniteInputs, long NonFiniteOutputs);

/// <summary>The result of <see cref="MergeExecutor.Run"/>.</summary>
/// <param name="Tensors">One outcome per output tensor, in plan order.</param>
/// <param name="PeakWorkingSetBytes">The largest sum of working sets in flight at once (the executor's own estimate).</param>
/// <param name="BytesRead">Bytes of input tensor data read.</param>
/// <param name="BytesWritten">Bytes of output tensor data produced.</param>
/// <param name="Elapsed">Wall-clock time.</param>
public sealed record MergeResult(ImmutableArray<TensorOutcome> Tensors, long PeakWorkingSetBytes, long BytesRead, long BytesWritten, TimeSpan Elapsed);

/// <summary>Executes merge plans.</summary>
public static class MergeExecutor
{
    /// <summary>
    /// Runs <paramref name="plan"/> over <paramref name="models"/> (index i = plan model i) into <paramref name="sink"/>.
    /// <paramref name="progress"/> receives output bytes as each tensor is written.
    /// </summary>
    /// <exception cref="AlloyInputException">An input tensor is missing or has another shape than planned.</exception>
    public static MergeResult Run(MergePlan plan, IReadOnlyList<Checkpoint> models, ITensorSink sink, ExecutionOptions options,
        IProgress<long>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(options);
        plan.Validate();
        if (models.Count != plan.Models.Length)
            throw new ArgumentException($"the plan has {plan.Models.Length} models, {models.Count} were given", nameof(models));
        CheckSources(plan, models);

        var stopwatch = Stopwatch.StartNew();
        var count = plan.Tensors.Length;
        var cost = new long[count];
        for (var i = 0; i < count; i++)
        {
            var t = plan.Tensors[i];
            cost[i] = t.WorkingSetBytes(t.IsMerge ? t.Method!.ScratchLength(IntShape(t), t.Inputs.Length, t.Settings!) : 0);
        }

        var tasks = new Task<(byte[] Bytes, TensorOutcome Outcome, long Read)>?[count];
        var outcomes = ImmutableArray.CreateBuilder<TensorOutcome>(count);
        long reserved = 0, peak = 0, read = 0, written = 0;
        var inFlight = 0;
        var next = 0;
        var threads = Math.Max(1, options.Threads);
        try
        {
            for (var w = 0; w < count; w++)
            {
                // Start tensors ahead of the writer while the budget and the thread count allow; the
                // tensor being written next always starts, so one over the budget runs alone.
                while (next < count && inFlight < threads && (inFlight == 0 || reserved + cost[next] <= options.MaxMemoryBytes))
                {
                    var index = next++;
                    reserved += cost[index];
                    peak = Math.Max(peak, reserved);
                    inFlight++;
                    tasks[index] = Task.Run(() => Compute(plan, plan.Tensors[index], models), cancellation);
                }
                var (bytes, outcome, bytesRead) = tasks[w]!.GetAwaiter().GetResult();
                tasks[w] = null;
                sink.Add(plan.Tensors[w], bytes);
                reserved -= cost[w];
                inFlight--;
                read += bytesRead;
                written += bytes.LongLength;
                outcomes.Add(outcome);
                progress?.Report(bytes.LongLength);
                cancellation.ThrowIfCancellationRequested();
            }
            sink.Complete();
        }
        finally
        {
            // Let tensors still computing finish before the caller disposes the checkpoints they read.
            foreach (var task in tasks)
                if (task != null)
                    try { task.Wait(CancellationToken.None); }
                    catch (AggregateException) { }
        }
        return new MergeResult(outcomes.MoveToImmutable(), peak, read, written, stopwatch.Elapsed);
    }

    private static void CheckSources(MergePlan plan, IReadOnlyList<Checkpoint> models)
    {
        foreach (var t in plan.Tensors)
        {
            foreach (var s in t.Inputs.Append(t.Base))
            {
                if (s == null)
                    continue;
                var model = models[s.Model];
                if (!model.TryGetTensor(s.Name, out var tensor))
                    throw new AlloyInputException($"{model.Path}: has no tensor '{s.Name}', needed for output tensor '{t.Name}'");
                if (!tensor.Info.Shape.SequenceEqual(t.Shape))
                    throw new AlloyInputException($"{model.Path}: tensor '{s.Name}' has shape {tensor.Info.ShapeText}, but output '{t.Name}' needs {Alloy.Tensors.SafeTensors.TensorInfo.FormatShape(t.Shape)}");
                if (t.IsMerge && !tensor.DType.IsFloat())
                    throw new AlloyInputException($"{model.Path}: tensor '{s.Name}' is {tensor.DType.ToSafetensorsName()}; only floating-point tensors can be merged");
            }
        }
    }

    private static int[] IntShape(PlannedTensor t)
    {
        var shape = new int[t.Shape.Length];
        for (var i = 0; i < shape.Length; i++)
            shape[i] = t.Shape[i] <= int.MaxValue ? (int)t.Shape[i] : throw new AlloyInputException($"tensor '{t.Name}': dimension {t.Shape[i]} is too large");
        return shape;
    }

    private static string Describe(MergePlan plan, TensorSource s) => $"{plan.Models[s.Model]}:{s.Name}";

    private static (byte[], TensorOutcome, long) Compute(MergePlan plan, PlannedTensor t, IReadOnlyList<Checkpoint> models)
    {
        var sources = t.Inputs.Append(t.Base).Where(s => s != null).Select(s => Describe(plan, s!)).ToImmutableArray();
        if (!t.IsMerge)
        {
            var source = models[t.Inputs[0].Model].GetTensor(t.Inputs[0].Name);
            var copy = new byte[t.OutputBytes];
            if (source.DType == t.DType)
            {
                source.File.Read(source.Info, 0, copy);
            }
            else
            {
                var floats = Load(source, t.ElementCount);
                DTypeConversions.FromFloat32(floats, t.DType, copy);
            }
            return (copy, new TensorOutcome(t.Name, "copied", null, sources, 0, 0), source.Info.ByteLength);
        }

        if (t.ElementCount > int.MaxValue)
            throw new AlloyInputException($"tensor '{t.Name}' has {t.ElementCount} elements; merging tensors over 2^31 elements is not supported yet");
        var n = (int)t.ElementCount;
        long read = 0, nonFiniteIn = 0;
        var inputs = new ReadOnlyMemory<float>[t.Inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            var tensor = models[t.Inputs[i].Model].GetTensor(t.Inputs[i].Name);
            var floats = Load(tensor, n);
            nonFiniteIn += CountNonFinite(floats);
            read += tensor.Info.ByteLength;
            inputs[i] = floats;
        }
        float[] baseFloats = [];
        if (t.Base != null)
        {
            var tensor = models[t.Base.Model].GetTensor(t.Base.Name);
            baseFloats = Load(tensor, n);
            nonFiniteIn += CountNonFinite(baseFloats);
            read += tensor.Info.ByteLength;
        }
        var shape = IntShape(t);
        var output = new float[n];
        var scratch = new float[t.Method!.ScratchLength(shape, inputs.Length, t.Settings!)];
        var mergeInputs = new MergeInputs(t.Name, shape, inputs, baseFloats, t.Base != null, plan.Seed);
        t.Method.Merge(mergeInputs, t.Settings!, output, scratch);
        var nonFiniteOut = CountNonFinite(output);
        var bytes = GC.AllocateUninitializedArray<byte>(checked((int)t.OutputBytes));
        DTypeConversions.FromFloat32(output, t.DType, bytes);
        return (bytes, new TensorOutcome(t.Name, "merged", t.Method.Name, sources, nonFiniteIn, nonFiniteOut), read);
    }

    /// <summary>Reads a tensor into a new fp32 array through a 4 MiB buffer per thread.</summary>
    private static float[] Load(CheckpointTensor tensor, long count)
    {
        var floats = GC.AllocateUninitializedArray<float>(checked((int)count));
        tensor.ReadFloat32(0, floats, ReadBuffer ??= new byte[4 << 20]);
        return floats;
    }

    [ThreadStatic]
    private static byte[]? ReadBuffer;

    private static long CountNonFinite(ReadOnlySpan<float> values)
    {
        long count = 0;
        foreach (var v in values)
            if (!float.IsFinite(v))
                count++;
        return count;
    }
}
