// The contract between the config/plan layer and a merge method: its name, inputs, parameters and kernel.
// Implementations live one per file beside this one; the registry lists them.
using Alloy.Tensors;

namespace Alloy.Merging.Methods;

/// <summary>How a method uses a base model.</summary>
public enum BaseModelUse
{
    /// <summary>No base. As in mergekit, a base_model named in a config is then just one more input model.</summary>
    None,
    /// <summary>A base is optional; when given, the method works on task vectors (model − base) and adds the base back.</summary>
    Optional,
    /// <summary>A base is required.</summary>
    Required,
}

/// <summary>The kind of value a parameter takes.</summary>
public enum ParameterKind
{
    /// <summary>A real number.</summary>
    Number,
    /// <summary>A whole number.</summary>
    Integer,
    /// <summary>true or false.</summary>
    Boolean,
    /// <summary>One of a fixed list of words (see <see cref="ParameterSpec.Choices"/>).</summary>
    Choice,
}

/// <summary>Whether a parameter is set once per merge or once per input model.</summary>
public enum ParameterScope
{
    /// <summary>Set once (mergekit's top-level <c>parameters:</c>).</summary>
    Global,
    /// <summary>Set per input model (mergekit's <c>models[i].parameters</c>).</summary>
    PerModel,
}

/// <summary>One parameter a method accepts, for validation and help text.</summary>
/// <param name="Name">The name as configs spell it (mergekit's name where mergekit has one).</param>
/// <param name="Kind">The kind of value.</param>
/// <param name="Scope">Global or per model.</param>
/// <param name="Required">True when there is no default.</param>
/// <param name="Default">The default when not required (null when the parameter simply has no effect unless set).</param>
/// <param name="Description">One line for help output.</param>
/// <param name="Choices">The accepted words of a <see cref="ParameterKind.Choice"/> parameter.</param>
public sealed record ParameterSpec(string Name, ParameterKind Kind, ParameterScope Scope, bool Required,
    ParameterValue? Default, string Description, IReadOnlyList<string>? Choices = null);

/// <summary>A method's parameters bound, validated and typed; each method derives its own record.</summary>
public abstract record MethodSettings;

/// <summary>
/// A merge method. The config layer validates against <see cref="Parameters"/>, calls <see cref="Bind"/> once per
/// output tensor (after gradients and filters are resolved) and the executor calls <see cref="Merge"/> with the
/// tensors. Methods never see paths, YAML or dtypes other than fp32.
/// </summary>
public interface IMergeMethod
{
    /// <summary>The method's config name (e.g. "ties").</summary>
    string Name { get; }

    /// <summary>One line on what it does.</summary>
    string Summary { get; }

    /// <summary>How it uses a base model.</summary>
    BaseModelUse BaseModel { get; }

    /// <summary>Fewest non-base models it accepts.</summary>
    int MinModels { get; }

    /// <summary>Most non-base models it accepts (<see cref="int.MaxValue"/> for no limit).</summary>
    int MaxModels { get; }

    /// <summary>Every parameter it accepts.</summary>
    IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>
    /// Checks and types the parameters for <paramref name="modelCount"/> non-base models.
    /// Throws <see cref="AlloyInputException"/> naming the parameter (and model) for a missing, unknown or out-of-range value.
    /// </summary>
    MethodSettings Bind(ParameterValues values, int modelCount);

    /// <summary>Floats of scratch <see cref="Merge"/> needs for a tensor of this shape.</summary>
    long ScratchLength(ReadOnlySpan<int> shape, int modelCount, MethodSettings settings);

    /// <summary>Merges one tensor into <paramref name="output"/> (length = the tensor's element count).</summary>
    void Merge(in MergeInputs inputs, MethodSettings settings, Span<float> output, Span<float> scratch);
}
