// The element types a safetensors file can hold, with their sizes and on-disk names.
// Conversions between them live in Conversions/; this file only names and sizes them.
namespace Alloy.Tensors;

/// <summary>Element type of a tensor, as named by the safetensors format.</summary>
public enum DType
{
    /// <summary>IEEE 754 binary64.</summary>
    F64,
    /// <summary>IEEE 754 binary32.</summary>
    F32,
    /// <summary>IEEE 754 binary16.</summary>
    F16,
    /// <summary>bfloat16: the upper 16 bits of a binary32.</summary>
    BF16,
    /// <summary>8-bit float, 4 exponent bits, 3 mantissa bits, no infinities (OCP "fn" variant).</summary>
    F8_E4M3,
    /// <summary>8-bit float, 5 exponent bits, 2 mantissa bits, with infinities.</summary>
    F8_E5M2,
    /// <summary>Signed 64-bit integer.</summary>
    I64,
    /// <summary>Signed 32-bit integer.</summary>
    I32,
    /// <summary>Signed 16-bit integer.</summary>
    I16,
    /// <summary>Signed 8-bit integer.</summary>
    I8,
    /// <summary>Unsigned 64-bit integer.</summary>
    U64,
    /// <summary>Unsigned 32-bit integer.</summary>
    U32,
    /// <summary>Unsigned 16-bit integer.</summary>
    U16,
    /// <summary>Unsigned 8-bit integer.</summary>
    U8,
    /// <summary>Boolean, one byte per element (0 or 1).</summary>
    Bool,
}

/// <summary>Sizes, names and capabilities of <see cref="DType"/> values.</summary>
public static class DTypes
{
    /// <summary>Bytes per element.</summary>
    public static int SizeOf(this DType dtype) => dtype switch
    {
        DType.F64 or DType.I64 or DType.U64 => 8,
        DType.F32 or DType.I32 or DType.U32 => 4,
        DType.F16 or DType.BF16 or DType.I16 or DType.U16 => 2,
        DType.F8_E4M3 or DType.F8_E5M2 or DType.I8 or DType.U8 or DType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>The name the safetensors header uses (e.g. "BF16", "F8_E4M3", "BOOL").</summary>
    public static string ToSafetensorsName(this DType dtype) => dtype == DType.Bool ? "BOOL" : dtype.ToString();

    /// <summary>Parses a safetensors dtype name (exact, case-sensitive, as the format defines).</summary>
    public static bool TryParseSafetensorsName(string name, out DType dtype)
    {
        switch (name)
        {
            case "F64": dtype = DType.F64; return true;
            case "F32": dtype = DType.F32; return true;
            case "F16": dtype = DType.F16; return true;
            case "BF16": dtype = DType.BF16; return true;
            case "F8_E4M3": dtype = DType.F8_E4M3; return true;
            case "F8_E5M2": dtype = DType.F8_E5M2; return true;
            case "I64": dtype = DType.I64; return true;
            case "I32": dtype = DType.I32; return true;
            case "I16": dtype = DType.I16; return true;
            case "I8": dtype = DType.I8; return true;
            case "U64": dtype = DType.U64; return true;
            case "U32": dtype = DType.U32; return true;
            case "U16": dtype = DType.U16; return true;
            case "U8": dtype = DType.U8; return true;
            case "BOOL": dtype = DType.Bool; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>All names <see cref="TryParseSafetensorsName"/> accepts, for error messages.</summary>
    public static string KnownNames => "F64, F32, F16, BF16, F8_E4M3, F8_E5M2, I64, I32, I16, I8, U64, U32, U16, U8, BOOL";

    /// <summary>True for the floating-point types.</summary>
    public static bool IsFloat(this DType dtype) =>
        dtype is DType.F64 or DType.F32 or DType.F16 or DType.BF16 or DType.F8_E4M3 or DType.F8_E5M2;

    /// <summary>True for the types Alloy computes in and writes as a merge result (F32, F16, BF16).</summary>
    public static bool IsComputeType(this DType dtype) => dtype is DType.F32 or DType.F16 or DType.BF16;

    /// <summary>Parses a user-facing dtype name as configs write it: "bfloat16", "float16", "float32", "bf16", "fp16", "fp32".</summary>
    public static bool TryParseTorchName(string name, out DType dtype)
    {
        switch (name.Trim().ToLowerInvariant())
        {
            case "bfloat16" or "bf16" or "torch.bfloat16": dtype = DType.BF16; return true;
            case "float16" or "fp16" or "half" or "f16" or "torch.float16": dtype = DType.F16; return true;
            case "float32" or "fp32" or "float" or "f32" or "torch.float32": dtype = DType.F32; return true;
            case "float64" or "fp64" or "double" or "torch.float64": dtype = DType.F64; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>The torch name configs use (torch_dtype): "bfloat16", "float16", "float32", ...</summary>
    public static string ToTorchName(this DType dtype) => dtype switch
    {
        DType.F64 => "float64",
        DType.F32 => "float32",
        DType.F16 => "float16",
        DType.BF16 => "bfloat16",
        DType.F8_E4M3 => "float8_e4m3fn",
        DType.F8_E5M2 => "float8_e5m2",
        DType.I64 => "int64",
        DType.I32 => "int32",
        DType.I16 => "int16",
        DType.I8 => "int8",
        DType.U64 => "uint64",
        DType.U32 => "uint32",
        DType.U16 => "uint16",
        DType.U8 => "uint8",
        DType.Bool => "bool",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };
}
