// Parses and validates a safetensors JSON header as hostile input. Pure: no file access here;
// SafetensorsFile reads the bytes and calls this.
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace Alloy.Tensors.SafeTensors;

/// <summary>
/// The validated header of a safetensors file: tensors in data-section order and the
/// <c>__metadata__</c> map. Validation rejects unknown dtypes, negative or overflowing shapes,
/// offsets outside the data section, byte lengths that disagree with numel × element size,
/// overlapping tensors, holes between tensors, duplicate names and non-string metadata.
/// </summary>
public sealed record SafetensorsHeader(ImmutableArray<TensorInfo> Tensors, ImmutableDictionary<string, string> Metadata)
{
    /// <summary>The largest JSON header accepted (100 MB), the bound the reference implementation uses.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>
    /// Parses <paramref name="json"/> (the header bytes, without the 8-byte length) for a file whose
    /// data section is <paramref name="dataLength"/> bytes long.
    /// </summary>
    /// <exception cref="SafetensorsFormatException">The header is not valid; the message names <paramref name="path"/> and the problem.</exception>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> json, long dataLength, string path)
    {
        JsonDocument document;
        try
        {
            // Validate UTF-8 explicitly: JsonDocument would accept some invalid sequences inside strings.
            _ = StrictUtf8.GetCharCount(json);
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (DecoderFallbackException e)
        {
            throw new SafetensorsFormatException(path, "the header is not valid UTF-8", e);
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(path, $"the header is not valid JSON ({FirstLine(e.Message)}); is this a safetensors file?", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new SafetensorsFormatException(path, $"the header must be a JSON object, found {root.ValueKind}");

            var names = new HashSet<string>(StringComparer.Ordinal);
            var tensors = new List<TensorInfo>();
            var metadata = ImmutableDictionary<string, string>.Empty;
            var sawMetadata = false;
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (sawMetadata)
                        throw new SafetensorsFormatException(path, "the header has two __metadata__ entries");
                    sawMetadata = true;
                    metadata = ParseMetadata(property.Value, path);
                    continue;
                }
                if (!names.Add(property.Name))
                    throw new SafetensorsFormatException(path, $"tensor '{property.Name}' appears twice in the header; names must be unique");
                tensors.Add(ParseTensor(property.Name, property.Value, dataLength, path));
            }

            tensors.Sort(static (a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            CheckCoverage(tensors, dataLength, path);
            return new SafetensorsHeader([.. tensors], metadata);
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string FirstLine(string message)
    {
        var i = message.IndexOf('\n', StringComparison.Ordinal);
        return i < 0 ? message : message[..i];
    }

    private static ImmutableDictionary<string, string> ParseMetadata(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException(path, $"__metadata__ must be an object of string values, found {value.ValueKind}");
        var builder = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new SafetensorsFormatException(path, $"__metadata__ entry '{entry.Name}' must be a string, found {entry.Value.ValueKind}");
            if (builder.ContainsKey(entry.Name))
                throw new SafetensorsFormatException(path, $"__metadata__ has the key '{entry.Name}' twice");
            builder[entry.Name] = entry.Value.GetString()!;
        }
        return builder.ToImmutable();
    }

    private static TensorInfo ParseTensor(string name, JsonElement value, long dataLength, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException(path, $"tensor '{name}': entry must be an object with dtype, shape and data_offsets, found {value.ValueKind}");

        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new SafetensorsFormatException(path, $"tensor '{name}': missing string field 'dtype'");
        var dtypeName = dtypeElement.GetString()!;
        if (!DTypes.TryParseSafetensorsName(dtypeName, out var dtype))
            throw new SafetensorsFormatException(path, $"tensor '{name}': unknown dtype '{Truncate(dtypeName)}'; known dtypes are {DTypes.KnownNames}");

        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new SafetensorsFormatException(path, $"tensor '{name}': missing array field 'shape'");
        var shape = ImmutableArray.CreateBuilder<long>(shapeElement.GetArrayLength());
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var dim) || dim < 0)
                throw new SafetensorsFormatException(path, $"tensor '{name}': shape entries must be non-negative integers, found {Truncate(d.GetRawText())}");
            shape.Add(dim);
        }

        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw new SafetensorsFormatException(path, $"tensor '{name}': 'data_offsets' must be an array [begin, end]");
        var begin = ReadOffset(offsets[0], name, path);
        var end = ReadOffset(offsets[1], name, path);
        if (end < begin)
            throw new SafetensorsFormatException(path, $"tensor '{name}': data_offsets [{begin}, {end}] end before they begin");
        if (end > dataLength)
            throw new SafetensorsFormatException(path, $"tensor '{name}': data_offsets [{begin}, {end}] run past the end of the data section ({dataLength} bytes); the file may be truncated");

        var info = new TensorInfo(name, dtype, shape.MoveToImmutable(), begin, end);
        var count = info.ElementCount;
        if (count < 0 || count > long.MaxValue / dtype.SizeOf())
            throw new SafetensorsFormatException(path, $"tensor '{name}': shape {info.ShapeText} has too many elements");
        var expected = count * dtype.SizeOf();
        if (expected != end - begin)
            throw new SafetensorsFormatException(path, $"tensor '{name}': {dtype.ToSafetensorsName()} × {info.ShapeText} needs {expected} bytes but data_offsets [{begin}, {end}] hold {end - begin}");
        return info;
    }

    private static long ReadOffset(JsonElement element, string name, string path)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var offset) || offset < 0)
            throw new SafetensorsFormatException(path, $"tensor '{name}': data_offsets must be non-negative integers, found {Truncate(element.GetRawText())}");
        return offset;
    }

    private static void CheckCoverage(List<TensorInfo> sorted, long dataLength, string path)
    {
        long cursor = 0;
        TensorInfo? previous = null;
        foreach (var t in sorted)
        {
            if (t.Begin > cursor)
                throw new SafetensorsFormatException(path, $"bytes {cursor}..{t.Begin} of the data section belong to no tensor (a hole before '{t.Name}'); tensors must tile the data section");
            if (t.Begin < cursor)
                throw new SafetensorsFormatException(path, $"tensors '{previous!.Name}' [{previous.Begin}, {previous.End}] and '{t.Name}' [{t.Begin}, {t.End}] overlap");
            cursor = t.End;
            if (t.ByteLength > 0)
                previous = t;
        }
        if (cursor != dataLength)
            throw new SafetensorsFormatException(path, $"the data section is {dataLength} bytes but the tensors cover {cursor}; {dataLength - cursor} trailing bytes belong to no tensor");
    }

    private static string Truncate(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
