// Two tiny parents for sweep tests: the committed qwen3-tied-f32 fixture as "instruct" and a deterministic perturbation
// of it written next to a copy as "thinking" (same shapes, same config), plus a spec naming them.
using System.Runtime.InteropServices;
using Alloy.Analysis.Sweep;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;
using Alloy.Tensors.Conversions;
using Alloy.Tensors.SafeTensors;

namespace Alloy.Analysis.Tests.Sweep;

internal static class TinyParents
{
    public static string Instruct => TestPaths.Fixtures("inference", "qwen3-tied-f32");

    /// <summary>Writes the thinking twin into <paramref name="folder"/>: every element v becomes v·(1 + 0.5·sin(i)) + 0.01·cos(i).</summary>
    public static string WriteThinking(string folder)
    {
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(Instruct, "config.json"), Path.Combine(folder, "config.json"));
        using var source = Checkpoint.Open(Instruct);
        var specs = source.Tensors.Select(t => new TensorSpec(t.Name, DType.F32, t.Info.Shape)).ToList();
        using (var writer = new SafetensorsWriter(Path.Combine(folder, "model.safetensors"), specs, new Dictionary<string, string> { ["format"] = "pt" }))
        {
            foreach (CheckpointTensor t in source.Tensors)
            {
                float[] values = Read(t);
                for (int i = 0; i < values.Length; i++)
                    values[i] = values[i] * (1 + 0.5f * MathF.Sin(i)) + 0.01f * MathF.Cos(i);
                writer.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            }
            writer.Complete();
        }
        return folder;
    }

    public static float[] Read(CheckpointTensor t)
    {
        var floats = new float[t.ElementCount];
        DTypeConversions.ToFloat32(t.GetBytes(), t.DType, floats);
        return floats;
    }

    public static SweepSpec Spec(string thinking, string methods, string benchmarks = "benchmarks: [{name: tiny}]\n") =>
        SweepSpecParser.Parse($"models: {{thinking: '{thinking}', instruct: '{Instruct}'}}\n{methods}{benchmarks}", "sweep.yml", Path.GetDirectoryName(thinking)!);
}
