// The optional second contract of a merge method: merging one tensor in chunks after a streamed statistics pass, so the
// executor never holds a whole tensor in fp32. Methods without it run whole-tensor through IMergeMethod.Merge.
namespace Alloy.Merging.Methods;

/// <summary>Reads ranges of one output tensor's inputs as fp32 (the executor streams them from the checkpoints).</summary>
internal interface ITensorRanges
{
    /// <summary>Elements in the tensor.</summary>
    long Length { get; }

    /// <summary>Number of non-base models.</summary>
    int ModelCount { get; }

    /// <summary>Writes elements [start, start + destination.Length) of model <paramref name="model"/>'s tensor.</summary>
    void ReadModel(int model, long start, Span<float> destination);

    /// <summary>Writes elements [start, start + destination.Length) of the base tensor.</summary>
    void ReadBase(long start, Span<float> destination);
}

/// <summary>
/// A method whose output element e depends only on element e of the inputs (or, with <see cref="ChunkAlignment"/> &gt; 1, on
/// its row) once per-tensor statistics are known. The executor calls <see cref="Prepare"/> once per tensor (it may stream
/// the inputs several times), then <see cref="MergeChunk"/> for chunks in any order and on any thread. The results must be
/// bit-identical to <see cref="IMergeMethod.Merge"/>.
/// </summary>
internal interface IChunkedMethod
{
    /// <summary>Chunk starts and lengths (but the last) must be multiples of this; 0 when these settings need the whole tensor.</summary>
    int ChunkAlignment(ReadOnlySpan<int> shape, MethodSettings settings);

    /// <summary>Floats of scratch <see cref="Prepare"/> needs with windows of <paramref name="window"/> elements (0 when it reads nothing).</summary>
    long PrepareScratchLength(ReadOnlySpan<int> shape, int modelCount, MethodSettings settings, int window);

    /// <summary>
    /// Computes the per-tensor statistics (null when there are none), streaming the inputs in windows of
    /// <paramref name="window"/> elements; it may use up to <paramref name="threads"/> threads, each with its own
    /// windows, where the statistics do not depend on the order they are gathered in.
    /// </summary>
    object? Prepare(ITensorRanges ranges, ReadOnlySpan<int> shape, string tensorName, ulong seed, MethodSettings settings, int window, float[] scratch, int threads);

    /// <summary>Floats of scratch <see cref="MergeChunk"/> needs per call.</summary>
    long ChunkScratchLength(ReadOnlySpan<int> shape, int modelCount, MethodSettings settings);

    /// <summary>Merges the chunk whose first element is element <paramref name="start"/> of the tensor; <paramref name="inputs"/> holds the chunk only.</summary>
    void MergeChunk(object? state, in MergeInputs inputs, long start, ReadOnlySpan<int> shape, MethodSettings settings, Span<float> output, Span<float> scratch);
}
