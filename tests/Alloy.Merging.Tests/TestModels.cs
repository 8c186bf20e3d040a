// Writes small checkpoints for merging tests from float arrays (F32 or BF16), in a temp folder.
using Alloy.Tensors;
using Alloy.Tensors.Conversions;
using Alloy.Tensors.SafeTensors;

namespace Alloy.Merging.Tests;

internal static class TestModels
{
    /// <summary>Writes a model folder with config.json and the given tensors (shape, values) in <paramref name="dtype"/>.</summary>
    public static string Write(string folder, DType dtype, IReadOnlyList<(string Name, long[] Shape, float[] Values)> tensors, string? config = null)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), config ?? """{"architectures":["Qwen3ForCausalLM"],"model_type":"qwen3","num_hidden_layers":2}""");
        var specs = tensors.Select(t => new TensorSpec(t.Name, dtype, [.. t.Shape])).ToList();
        using var writer = new SafetensorsWriter(Path.Combine(folder, "model.safetensors"), specs, new Dictionary<string, string> { ["format"] = "pt" });
        foreach (var t in tensors)
        {
            var bytes = new byte[t.Values.Length * dtype.SizeOf()];
            DTypeConversions.FromFloat32(t.Values, dtype, bytes);
            writer.Write(bytes);
        }
        writer.Complete();
        return folder;
    }

    public static float[] Random(int n, int seed, float scale = 1)
    {
        var r = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1) * scale)];
    }
}
