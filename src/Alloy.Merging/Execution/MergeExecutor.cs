// Runs a validated MergePlan: reads each output tensor's inputs from the checkpoints (pread, fp32), calls the method
// kernel (in chunks for the methods that allow it), converts to the output dtype and hands the bytes to a sink in plan
// order. Tensors and chunks are computed in parallel within a memory budget; writing stays in order.
using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.Intrinsics;
using Alloy.Merging.Methods;
using Alloy.Merging.Plan;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;
using Alloy.Tensors.Conversions;

namespace Alloy.Merging.Execution;

/// <summary>Limits of one execution.</summary>
/// <param name="Threads">Tensors computed at once (at least 1).</param>
/// <param name="MaxMemoryBytes">Budget for the working sets of tensors in flight (three quarters) and the arrays kept for reuse (a quarter); a tensor larger than its share runs alone.</param>
public sealed record ExecutionOptions(int Threads, long MaxMemoryBytes)
{
    /// <summary>Elements per chunk of a chunked merge (default 2²⁰), rounded down to a multiple of the method's alignment and at least one alignment.</summary>
    public int ChunkElements { get; init; } = 1 << 20;

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
/// <param name="PeakWorkingSetBytes">The largest sum of working sets in flight at once (the executor's own estimate, <see cref="MergeExecutor.EstimateWorkingSet"/>; pooled arrays not counted).</param>
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
        // trim_scope: global needs one threshold per model over the whole model: a first pass before any tensor is merged.
        plan = GlobalTrimPass.Resolve(plan, models, cancellation);

        var stopwatch = Stopwatch.StartNew();
        var count = plan.Tensors.Length;
        var threads = Math.Max(1, options.Threads);
        var cost = new long[count];
        for (var i = 0; i < count; i++)
            cost[i] = EstimateWorkingSet(plan.Tensors[i], options);

        // Arrays kept for reuse get an eighth of the budget per pool; tensors in flight get the rest, so the two together
        // stay within the budget.
        var pools = AcquirePools(options, cancellation);
        var scheduleBudget = options.MaxMemoryBytes - (2 * PoolCap(options));
        var tasks = new Task<Computed>?[count];
        var outcomes = ImmutableArray.CreateBuilder<TensorOutcome>(count);
        long reserved = 0, peak = 0, read = 0, written = 0;
        var inFlight = 0;
        var next = 0;
        var running = new List<int>();
        var held = new long[count];
        try
        {
            for (var w = 0; w < count; w++)
            {
                // Start tensors ahead of the writer while the budget and the thread count allow (computed tensors
                // waiting for the writer hold memory but no thread); the tensor being written next always starts,
                // so one over the budget runs alone.
                while (true)
                {
                    // A computed tensor waiting for the writer holds only its output bytes; its compute buffers are back in the pool.
                    foreach (var done in running.Where(i => tasks[i]!.IsCompleted))
                    {
                        reserved -= held[done] - plan.Tensors[done].OutputBytes;
                        held[done] = plan.Tensors[done].OutputBytes;
                    }
                    running.RemoveAll(i => tasks[i]!.IsCompleted);
                    while (next < count && running.Count < threads && (inFlight == 0 || reserved + cost[next] <= scheduleBudget))
                    {
                        var index = next++;
                        reserved += cost[index];
                        held[index] = cost[index];
                        peak = Math.Max(peak, reserved);
                        inFlight++;
                        var task = Task.Run(() => Compute(plan, plan.Tensors[index], models, pools, options, cancellation), cancellation);
                        tasks[index] = task;
                        running.Add(index);
                    }
                    if (tasks[w]!.IsCompleted)
                        break;
                    Task.WaitAny([.. running.Select(i => tasks[i]!)], cancellation);
                }
                var computed = tasks[w]!.GetAwaiter().GetResult();
                tasks[w] = null;
                sink.Add(plan.Tensors[w], computed.Bytes.AsSpan(0, computed.Length));
                pools.Bytes.Return(computed.Bytes);
                running.Remove(w);
                reserved -= held[w];
                inFlight--;
                read += computed.Read;
                written += computed.Length;
                outcomes.Add(computed.Outcome);
                progress?.Report(computed.Length);
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
            RunLock.Release();
        }
        return new MergeResult(outcomes.MoveToImmutable(), peak, read, written, stopwatch.Elapsed);
    }

    /// <summary>
    /// The sweep path: runs several <paramref name="plans"/> over the same <paramref name="models"/> tensor-major — output
    /// tensor w of every plan is computed and handed to that plan's sink before tensor w + 1 of any — so each input tensor
    /// is read from disk once for all plans (the later plans find its pages in the cache) instead of once per plan.
    /// Every plan must name the same models in the same order and list the same output tensors in the same order (the
    /// points of one method over λ do). Memory: up to <see cref="ExecutionOptions.Threads"/> working sets of one tensor at
    /// a time (one per plan in flight). <paramref name="progress"/> receives output bytes of every plan, from several threads.
    /// </summary>
    /// <exception cref="ArgumentException">No plans, a sink count that differs, or plans over other models or tensors.</exception>
    /// <exception cref="AlloyInputException">An input tensor is missing or has another shape than planned.</exception>
    public static IReadOnlyList<MergeResult> RunMany(IReadOnlyList<MergePlan> plans, IReadOnlyList<Checkpoint> models, IReadOnlyList<ITensorSink> sinks,
        ExecutionOptions options, IProgress<long>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(plans);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(sinks);
        ArgumentNullException.ThrowIfNull(options);
        if (plans.Count == 0)
            throw new ArgumentException("at least one plan is needed", nameof(plans));
        if (sinks.Count != plans.Count)
            throw new ArgumentException($"{plans.Count} plans but {sinks.Count} sinks", nameof(sinks));
        var first = plans[0];
        foreach (var plan in plans)
        {
            plan.Validate();
            if (!plan.Models.SequenceEqual(first.Models))
                throw new ArgumentException($"plans over other models cannot share a pass: [{string.Join(", ", plan.Models)}] vs [{string.Join(", ", first.Models)}]", nameof(plans));
            if (plan.Tensors.Length != first.Tensors.Length || !plan.Tensors.Select(t => t.Name).SequenceEqual(first.Tensors.Select(t => t.Name)))
                throw new ArgumentException("plans with other output tensors (or another order) cannot share a pass", nameof(plans));
        }
        if (models.Count != first.Models.Length)
            throw new ArgumentException($"the plans have {first.Models.Length} models, {models.Count} were given", nameof(models));
        foreach (var plan in plans)
            CheckSources(plan, models);
        // trim_scope: global thresholds come from their own streamed pass per plan, as in Run.
        plans = [.. plans.Select(p => GlobalTrimPass.Resolve(p, models, cancellation))];

        var stopwatch = Stopwatch.StartNew();
        var pools = AcquirePools(options, cancellation);
        var outcomes = plans.Select(p => ImmutableArray.CreateBuilder<TensorOutcome>(p.Tensors.Length)).ToArray();
        var read = new long[plans.Count];
        var written = new long[plans.Count];
        var peak = new long[plans.Count];
        try
        {
            // Tensor w of the plans is computed on up to `threads` plans at once (each sink only sees its own tensors, in
            // order), so at most `threads` working sets of one tensor are alive; the next tensor starts when all are written.
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Threads), CancellationToken = cancellation };
            for (var w = 0; w < first.Tensors.Length; w++)
            {
                var index = w;
                Parallel.For(0, plans.Count, parallel, j =>
                {
                    var tensor = plans[j].Tensors[index];
                    peak[j] = Math.Max(peak[j], EstimateWorkingSet(tensor, options));
                    var computed = Compute(plans[j], tensor, models, pools, options, cancellation);
                    sinks[j].Add(tensor, computed.Bytes.AsSpan(0, computed.Length));
                    pools.Bytes.Return(computed.Bytes);
                    read[j] += computed.Read;
                    written[j] += computed.Length;
                    outcomes[j].Add(computed.Outcome);
                    progress?.Report(computed.Length);
                });
            }
            foreach (var sink in sinks)
                sink.Complete();
        }
        finally
        {
            RunLock.Release();
        }
        var elapsed = stopwatch.Elapsed;
        return [.. plans.Select((_, j) => new MergeResult(outcomes[j].MoveToImmutable(), peak[j], read[j], written[j], elapsed))];
    }

    /// <summary>
    /// The bytes the executor reserves against the budget for <paramref name="tensor"/>: for a chunked merge the output
    /// bytes, the statistics window and one chunk's buffers per worker; for a whole-tensor merge
    /// <see cref="PlannedTensor.WorkingSetBytes"/>; for a copy its output (twice when converted).
    /// </summary>
    public static long EstimateWorkingSet(PlannedTensor tensor, ExecutionOptions options)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(options);
        if (!tensor.IsMerge)
            return tensor.WorkingSetBytes(0);
        var shape = IntShape(tensor);
        var modelCount = tensor.Inputs.Length;
        if (ChunkWindow(tensor, shape, options.ChunkElements) is not int window)
            return tensor.WorkingSetBytes(tensor.Method!.ScratchLength(shape, modelCount, tensor.Settings!));
        var chunked = (IChunkedMethod)tensor.Method!;
        var chunks = (tensor.ElementCount + window - 1) / window;
        var workers = Math.Min(Math.Max(1, options.Threads), Math.Max(chunks, 1));
        var perWorker = 4L * ((long)window * (modelCount + (tensor.Base != null ? 1 : 0) + 1) + chunked.ChunkScratchLength(shape, modelCount, tensor.Settings!));
        var prepare = 4L * chunked.PrepareScratchLength(shape, modelCount, tensor.Settings!, window);
        // The statistics pass of a large tensor may run one window set per worker.
        return tensor.OutputBytes + (workers * (prepare + perWorker));
    }

    /// <summary>The chunk length for a chunked merge of <paramref name="tensor"/>, or null when it runs whole-tensor.</summary>
    private static int? ChunkWindow(PlannedTensor tensor, int[] shape, int chunkElements)
    {
        if (tensor.Method is not IChunkedMethod chunked || tensor.ElementCount > int.MaxValue)
            return null;
        var align = chunked.ChunkAlignment(shape, tensor.Settings!);
        if (align <= 0)
            return null;
        return Math.Max(align, Math.Max(chunkElements, 1) / align * align);
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

    private sealed record Pools(BufferPool<float> Floats, BufferPool<byte> Bytes);

    private static readonly Pools SharedPools = new(new BufferPool<float>(0), new BufferPool<byte>(0));

    // Runs in one process take turns on the shared pools (and on the cores).
    private static readonly SemaphoreSlim RunLock = new(1, 1);

    private static long PoolCap(ExecutionOptions options) => options.MaxMemoryBytes / 8;

    // The pools live as long as the process so that repeated merges (sweeps) reuse the arrays instead of leaving them to
    // the GC; one run at a time (RunLock, released by the caller) sets their cap.
    private static Pools AcquirePools(ExecutionOptions options, CancellationToken cancellation)
    {
        RunLock.Wait(cancellation);
        SharedPools.Floats.RetainLimit = PoolCap(options);
        SharedPools.Bytes.RetainLimit = PoolCap(options);
        return SharedPools;
    }

    /// <summary>One computed tensor: its output bytes in a pooled array (the first Length bytes), its outcome and the bytes read.</summary>
    private sealed record Computed(byte[] Bytes, int Length, TensorOutcome Outcome, long Read);

    private static Computed Compute(MergePlan plan, PlannedTensor t, IReadOnlyList<Checkpoint> models, Pools pools, ExecutionOptions options, CancellationToken cancellation)
    {
        var sources = t.Inputs.Append(t.Base).Where(s => s != null).Select(s => Describe(plan, s!)).ToImmutableArray();
        var outputLength = checked((int)t.OutputBytes);
        if (!t.IsMerge)
        {
            var source = models[t.Inputs[0].Model].GetTensor(t.Inputs[0].Name);
            var copy = pools.Bytes.Rent(outputLength);
            if (source.DType == t.DType)
            {
                source.File.Read(source.Info, 0, copy.AsSpan(0, outputLength));
            }
            else
            {
                var floats = Load(source, t.ElementCount, pools.Floats);
                DTypeConversions.FromFloat32(floats.AsSpan(0, (int)t.ElementCount), t.DType, copy.AsSpan(0, outputLength));
                pools.Floats.Return(floats);
            }
            return new Computed(copy, outputLength, new TensorOutcome(t.Name, "copied", null, sources, 0, 0), source.Info.ByteLength);
        }

        if (t.ElementCount > int.MaxValue)
            throw new AlloyInputException($"tensor '{t.Name}' has {t.ElementCount} elements; merging tensors over 2^31 elements is not supported yet");
        var shape = IntShape(t);
        var inputTensors = t.Inputs.Select(s => models[s.Model].GetTensor(s.Name)).ToArray();
        var baseTensor = t.Base != null ? models[t.Base.Model].GetTensor(t.Base.Name) : null;
        var read = inputTensors.Sum(x => x.Info.ByteLength) + (baseTensor?.Info.ByteLength ?? 0);
        var (bytes, nonFiniteIn, nonFiniteOut) = ChunkWindow(t, shape, options.ChunkElements) is int window
            ? ComputeChunked(plan, t, shape, inputTensors, baseTensor, window, pools, Math.Max(1, options.Threads), cancellation)
            : ComputeWhole(plan, t, shape, inputTensors, baseTensor, pools);
        return new Computed(bytes, outputLength, new TensorOutcome(t.Name, "merged", t.Method!.Name, sources, nonFiniteIn, nonFiniteOut), read);
    }

    /// <summary>Whole-tensor path: every input, the output and the scratch in pooled fp32 arrays.</summary>
    private static (byte[], long, long) ComputeWhole(MergePlan plan, PlannedTensor t, int[] shape, CheckpointTensor[] inputTensors,
        CheckpointTensor? baseTensor, Pools pools)
    {
        var n = (int)t.ElementCount;
        long nonFiniteIn = 0;
        var rented = new List<float[]>();
        try
        {
            var inputs = new ReadOnlyMemory<float>[inputTensors.Length];
            for (var i = 0; i < inputs.Length; i++)
            {
                var floats = Load(inputTensors[i], n, pools.Floats);
                rented.Add(floats);
                nonFiniteIn += CountNonFinite(floats.AsSpan(0, n));
                inputs[i] = floats.AsMemory(0, n);
            }
            ReadOnlySpan<float> baseFloats = [];
            if (baseTensor != null)
            {
                var floats = Load(baseTensor, n, pools.Floats);
                rented.Add(floats);
                baseFloats = floats.AsSpan(0, n);
                nonFiniteIn += CountNonFinite(baseFloats);
            }
            var output = pools.Floats.Rent(n);
            rented.Add(output);
            var scratchLength = t.Method!.ScratchLength(shape, inputs.Length, t.Settings!);
            var scratch = pools.Floats.Rent(scratchLength);
            rented.Add(scratch);
            var mergeInputs = new MergeInputs(t.Name, shape, inputs, baseFloats, baseTensor != null, plan.Seed);
            var outputSpan = output.AsSpan(0, n);
            t.Method.Merge(mergeInputs, t.Settings!, outputSpan, scratch.AsSpan(0, (int)scratchLength));
            var nonFiniteOut = CountNonFinite(outputSpan);
            var bytes = pools.Bytes.Rent(t.OutputBytes);
            DTypeConversions.FromFloat32(outputSpan, t.DType, bytes.AsSpan(0, (int)t.OutputBytes));
            return (bytes, nonFiniteIn, nonFiniteOut);
        }
        finally
        {
            foreach (var array in rented)
                pools.Floats.Return(array);
        }
    }

    /// <summary>
    /// Chunked path: the method's statistics pass (if any) streams the inputs, then chunks of <paramref name="window"/>
    /// elements are read (widened to fp32 into per-worker buffers), merged, narrowed into the output bytes, in parallel.
    /// </summary>
    private static (byte[], long, long) ComputeChunked(MergePlan plan, PlannedTensor t, int[] shape, CheckpointTensor[] inputTensors,
        CheckpointTensor? baseTensor, int window, Pools pools, int threads, CancellationToken cancellation)
    {
        var method = (IChunkedMethod)t.Method!;
        var settings = t.Settings!;
        var n = (int)t.ElementCount;
        var modelCount = inputTensors.Length;
        var ranges = new CheckpointRanges(inputTensors, baseTensor);
        object? state = null;
        var prepareLength = method.PrepareScratchLength(shape, modelCount, settings, window);
        if (prepareLength > 0)
        {
            var prepareScratch = pools.Floats.Rent(prepareLength);
            try
            {
                state = method.Prepare(ranges, shape, t.Name, plan.Seed, settings, window, prepareScratch, threads);
            }
            finally
            {
                pools.Floats.Return(prepareScratch);
            }
        }
        else
        {
            state = method.Prepare(ranges, shape, t.Name, plan.Seed, settings, window, [], threads);
        }

        var outputBytes = pools.Bytes.Rent(t.OutputBytes);
        var outSize = t.DType.SizeOf();
        var chunks = (n + window - 1) / window;
        var scratchLength = (int)method.ChunkScratchLength(shape, modelCount, settings);
        long nonFiniteIn = 0, nonFiniteOut = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Min(threads, Math.Max(chunks, 1)), CancellationToken = cancellation };
        Parallel.For(0, Math.Max(chunks, 1), options,
            () => new ChunkWorker(pools.Floats, modelCount, baseTensor != null, window, scratchLength),
            (c, _, worker) =>
            {
                var start = c * window;
                var count = Math.Min(window, n - start);
                for (var i = 0; i < modelCount; i++)
                {
                    var span = worker.Models[i].AsSpan(0, count);
                    ranges.ReadModel(i, start, span);
                    worker.NonFiniteIn += CountNonFinite(span);
                    worker.Views[i] = worker.Models[i].AsMemory(0, count);
                }
                ReadOnlySpan<float> baseSpan = [];
                if (worker.Base != null)
                {
                    var span = worker.Base.AsSpan(0, count);
                    ranges.ReadBase(start, span);
                    worker.NonFiniteIn += CountNonFinite(span);
                    baseSpan = span;
                }
                var output = worker.Output.AsSpan(0, count);
                var inputs = new MergeInputs(t.Name, [count], worker.Views, baseSpan, worker.Base != null, plan.Seed);
                method.MergeChunk(state, inputs, start, shape, settings, output, worker.Scratch.AsSpan(0, scratchLength));
                worker.NonFiniteOut += CountNonFinite(output);
                DTypeConversions.FromFloat32(output, t.DType, outputBytes.AsSpan((int)((long)start * outSize), count * outSize));
                return worker;
            },
            worker =>
            {
                Interlocked.Add(ref nonFiniteIn, worker.NonFiniteIn);
                Interlocked.Add(ref nonFiniteOut, worker.NonFiniteOut);
                worker.ReturnTo(pools.Floats);
            });
        return (outputBytes, nonFiniteIn, nonFiniteOut);
    }

    /// <summary>One worker's chunk buffers (from the pool) and its non-finite counts.</summary>
    private sealed class ChunkWorker
    {
        public ChunkWorker(BufferPool<float> pool, int modelCount, bool hasBase, int window, int scratchLength)
        {
            Models = new float[modelCount][];
            for (var i = 0; i < modelCount; i++)
                Models[i] = pool.Rent(window);
            Views = new ReadOnlyMemory<float>[modelCount];
            Base = hasBase ? pool.Rent(window) : null;
            Output = pool.Rent(window);
            Scratch = scratchLength > 0 ? pool.Rent(scratchLength) : [];
        }

        public float[][] Models { get; }
        public ReadOnlyMemory<float>[] Views { get; }
        public float[]? Base { get; }
        public float[] Output { get; }
        public float[] Scratch { get; }
        public long NonFiniteIn { get; set; }
        public long NonFiniteOut { get; set; }

        public void ReturnTo(BufferPool<float> pool)
        {
            foreach (var m in Models)
                pool.Return(m);
            pool.Return(Base);
            pool.Return(Output);
            if (Scratch.Length > 0)
                pool.Return(Scratch);
        }
    }

    /// <summary>The inputs of one output tensor as ranges read from the checkpoints (pread through a per-thread buffer, widened to fp32).</summary>
    private sealed class CheckpointRanges(CheckpointTensor[] models, CheckpointTensor? baseTensor) : ITensorRanges
    {
        public long Length => models[0].ElementCount;

        public int ModelCount => models.Length;

        public void ReadModel(int model, long start, Span<float> destination) =>
            models[model].ReadFloat32(start, destination, ReadBuffer ??= new byte[ReadBufferBytes]);

        public void ReadBase(long start, Span<float> destination) =>
            (baseTensor ?? throw new InvalidOperationException("the tensor has no base")).ReadFloat32(start, destination, ReadBuffer ??= new byte[ReadBufferBytes]);
    }

    private const int ReadBufferBytes = 1 << 20;

    /// <summary>Reads a tensor into a pooled fp32 array (at least <paramref name="count"/> long) through a 1 MiB buffer per thread.</summary>
    private static float[] Load(CheckpointTensor tensor, long count, BufferPool<float> pool)
    {
        var floats = pool.Rent(count);
        tensor.ReadFloat32(0, floats.AsSpan(0, checked((int)count)), ReadBuffer ??= new byte[ReadBufferBytes]);
        return floats;
    }

    [ThreadStatic]
    private static byte[]? ReadBuffer;

    /// <summary>NaN or ±∞ entries (all exponent bits set), eight at a time where Vector256 runs.</summary>
    internal static long CountNonFinite(ReadOnlySpan<float> values)
    {
        long count = 0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var exponent = Vector256.Create(0x7F80_0000u);
            var lanes = Vector256<uint>.Zero;
            for (; i + 8 <= values.Length; i += 8)
            {
                var bits = Vector256.Create(values.Slice(i, 8)).AsUInt32();
                // all-ones lanes are −1, so subtracting counts them; a lane sees at most 2³¹/8 entries, no overflow
                lanes -= Vector256.Equals(bits & exponent, exponent);
            }
            count = (long)(Vector256.Sum(Vector256.WidenLower(lanes)) + Vector256.Sum(Vector256.WidenUpper(lanes)));
        }
        return count + CountNonFiniteScalar(values[i..]);
    }

    /// <summary>Scalar twin of <see cref="CountNonFinite"/>.</summary>
    internal static long CountNonFiniteScalar(ReadOnlySpan<float> values)
    {
        long count = 0;
        foreach (var v in values)
            if (!float.IsFinite(v))
                count++;
        return count;
    }
}
