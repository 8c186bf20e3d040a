// The merge plan: one immutable record per output tensor (what it is made from, how, in which dtype)
// plus every input tensor that is not used and why. Built and validated before any weight byte is read.
using System.Collections.Immutable;
using Alloy.Merging.Methods;
using Alloy.Tensors;

namespace Alloy.Merging.Plan;

/// <summary>An input tensor: which model (index into <see cref="MergePlan.Models"/>) and which tensor name there.</summary>
public sealed record TensorSource(int Model, string Name);

/// <summary>
/// One output tensor. Either merged (<see cref="Method"/> and <see cref="Settings"/> set, <see cref="Inputs"/>
/// the non-base models in order, <see cref="Base"/> optional) or copied (<see cref="Method"/> null, one input).
/// </summary>
/// <param name="Name">Output tensor name.</param>
/// <param name="DType">Output dtype (F32, F16 or BF16 for merged tensors; any dtype for copies of the same dtype).</param>
/// <param name="Shape">Output shape; every input has it.</param>
/// <param name="Method">The merge method, or null for a copy.</param>
/// <param name="Settings">The method's bound settings for this tensor.</param>
/// <param name="Inputs">Non-base inputs in config order (one for a copy).</param>
/// <param name="Base">The base model's tensor, when the method uses one.</param>
/// <param name="Note">Why it is merged or copied this way (for the merge log).</param>
public sealed record PlannedTensor(
    string Name,
    DType DType,
    ImmutableArray<long> Shape,
    IMergeMethod? Method,
    MethodSettings? Settings,
    ImmutableArray<TensorSource> Inputs,
    TensorSource? Base,
    string Note)
{
    /// <summary>True when the tensor is computed by a merge method.</summary>
    public bool IsMerge => Method != null;

    /// <summary>Number of elements.</summary>
    public long ElementCount => Alloy.Tensors.SafeTensors.TensorInfo.ElementCountOf(Shape);

    /// <summary>Bytes of the output tensor.</summary>
    public long OutputBytes => ElementCount * DType.SizeOf();

    /// <summary>
    /// Memory the executor holds while computing this tensor: fp32 copies of every input and the base,
    /// the fp32 output, the method's scratch, one raw read buffer (up to 8 bytes an element) and the output bytes.
    /// </summary>
    public long WorkingSetBytes(long scratchFloats) => IsMerge
        ? (ElementCount * 4L * (Inputs.Length + (Base != null ? 1 : 0) + 1)) + (scratchFloats * 4L) + (ElementCount * 8L) + OutputBytes
        : OutputBytes * 2;

    /// <summary>Creates a copy of <paramref name="source"/> (same name unless renamed).</summary>
    public static PlannedTensor Copy(string name, DType dtype, ImmutableArray<long> shape, TensorSource source, string note) =>
        new(name, dtype, shape, null, null, [source], null, note);
}

/// <summary>Output layer i is layer <paramref name="Layer"/> of plan model <paramref name="Model"/> (its slice's first source).</summary>
public sealed record LayerOrigin(int Model, int Layer);

/// <summary>An input tensor that does not reach the output, with the reason (nothing is dropped silently).</summary>
public sealed record DroppedTensor(TensorSource Source, string Reason);

/// <summary>The whole plan: the input models, the output tensors in write order, and what is dropped.</summary>
/// <param name="Models">Input model paths in index order (for logs).</param>
/// <param name="Tensors">Output tensors in the order they are written.</param>
/// <param name="Dropped">Input tensors not used, each with a reason.</param>
/// <param name="Seed">Seed of the random sparsifiers (DARE, DELLA).</param>
/// <param name="LayerOrigins">For slices: configs, where each output layer comes from (its slice's first source); default otherwise.</param>
public sealed record MergePlan(
    ImmutableArray<string> Models,
    ImmutableArray<PlannedTensor> Tensors,
    ImmutableArray<DroppedTensor> Dropped,
    ulong Seed,
    ImmutableArray<LayerOrigin> LayerOrigins = default)
{
    /// <summary>The output's number of layers when the plan sets it (slices: configs), else null (the donor's).</summary>
    public int? LayerCount => LayerOrigins.IsDefault ? null : LayerOrigins.Length;

    /// <summary>Checks internal consistency: unique output names, inputs in range, merged outputs in a compute dtype.</summary>
    /// <exception cref="ArgumentException">The plan is inconsistent (a bug in the plan builder, not user input).</exception>
    public void Validate()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in Tensors)
        {
            if (!names.Add(t.Name))
                throw new ArgumentException($"output tensor '{t.Name}' is planned twice");
            if (t.Inputs.IsDefaultOrEmpty)
                throw new ArgumentException($"output tensor '{t.Name}' has no input");
            foreach (var s in t.Inputs.Append(t.Base))
                if (s != null && (s.Model < 0 || s.Model >= Models.Length))
                    throw new ArgumentException($"output tensor '{t.Name}' reads model {s.Model}, but the plan has {Models.Length}");
            if (t.IsMerge && (t.Settings == null || !t.DType.IsComputeType()))
                throw new ArgumentException($"merged tensor '{t.Name}' needs settings and an F32/F16/BF16 output dtype");
            if (!t.IsMerge && t.Inputs.Length != 1)
                throw new ArgumentException($"copied tensor '{t.Name}' must have exactly one input");
        }
    }
}
