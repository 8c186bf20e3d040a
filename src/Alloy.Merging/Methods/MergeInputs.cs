// The tensors one merge-method call sees: one output tensor's worth of fp32 inputs, already cast and shape-checked.
// It carries no paths, no YAML and no dtype logic; the executor builds it from whatever it loaded.
namespace Alloy.Merging.Methods;

/// <summary>
/// The inputs of one merge-method call for one output tensor. Every span holds the tensor flattened in row-major
/// order (the safetensors layout), so element e of every input is the same parameter.
/// </summary>
public readonly ref struct MergeInputs
{
    private readonly ReadOnlySpan<ReadOnlyMemory<float>> models;
    private readonly ReadOnlySpan<float> baseTensor;

    /// <summary>Creates the inputs and checks that every tensor has the element count the shape implies.</summary>
    /// <param name="tensorName">The output tensor's name: used in error messages and to key the random stream.</param>
    /// <param name="shape">The tensor's shape (an empty shape is a scalar of one element).</param>
    /// <param name="models">The non-base input models, in config order (the order fixes DARE/DELLA streams and "first"/"second" roles).</param>
    /// <param name="baseTensor">The base model's tensor; ignored unless <paramref name="hasBase"/>.</param>
    /// <param name="hasBase">Whether a base model is given.</param>
    /// <param name="randomSeed">The run's seed (the --random-seed option); only the random sparsifiers read it.</param>
    public MergeInputs(string tensorName, ReadOnlySpan<int> shape, ReadOnlySpan<ReadOnlyMemory<float>> models,
        ReadOnlySpan<float> baseTensor, bool hasBase, ulong randomSeed = 0)
    {
        ArgumentNullException.ThrowIfNull(tensorName);
        long length = 1;
        foreach (int dim in shape)
        {
            if (dim < 0) throw new ArgumentException($"tensor {tensorName}: negative dimension in shape", nameof(shape));
            length *= dim;
        }
        if (length > int.MaxValue) throw new ArgumentException($"tensor {tensorName}: more than 2^31-1 elements", nameof(shape));
        for (int i = 0; i < models.Length; i++)
        {
            if (models[i].Length != length)
                throw new ArgumentException($"tensor {tensorName}: model {i} has {models[i].Length} elements, the shape needs {length}", nameof(models));
        }
        if (hasBase && baseTensor.Length != length)
            throw new ArgumentException($"tensor {tensorName}: base has {baseTensor.Length} elements, the shape needs {length}", nameof(baseTensor));
        TensorName = tensorName;
        Shape = shape;
        this.models = models;
        this.baseTensor = hasBase ? baseTensor : default;
        HasBase = hasBase;
        RandomSeed = randomSeed;
        Length = (int)length;
    }

    /// <summary>The output tensor's name.</summary>
    public string TensorName { get; }

    /// <summary>The tensor's shape.</summary>
    public ReadOnlySpan<int> Shape { get; }

    /// <summary>Elements per tensor (the product of <see cref="Shape"/>).</summary>
    public int Length { get; }

    /// <summary>Number of non-base models.</summary>
    public int ModelCount => models.Length;

    /// <summary>Whether a base model is given.</summary>
    public bool HasBase { get; }

    /// <summary>The base tensor (empty when <see cref="HasBase"/> is false).</summary>
    public ReadOnlySpan<float> Base => baseTensor;

    /// <summary>The run's random seed.</summary>
    public ulong RandomSeed { get; }

    /// <summary>Model <paramref name="index"/>'s tensor.</summary>
    public ReadOnlySpan<float> Model(int index) => models[index].Span;

    /// <summary>Length of the last dimension (the "row" of row-wise methods); the whole tensor for a scalar or 1-D tensor.</summary>
    public int RowLength => Shape.Length <= 1 ? Length : Shape[^1];
}
