// Streaming writer of one .safetensors file: the header is written first from the declared tensors,
// then bytes are appended in declaration order. Memory use is one small buffer, whatever the size.
using System.Text;
using System.Text.Json;

namespace Alloy.Tensors.SafeTensors;

/// <summary>
/// Writes a safetensors file tensor by tensor. Construct it with every tensor's spec (the header
/// must come first in the file), then call <see cref="Write"/> with each tensor's bytes in the
/// declared order (any chunking), then <see cref="Complete"/>. The header is padded with spaces to a
/// multiple of 8 bytes, so the data section is 8-byte aligned as the reference writer does.
/// Disposing without completing deletes the partial file.
/// </summary>
public sealed class SafetensorsWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly IReadOnlyList<TensorSpec> _tensors;
    private readonly long[] _lengths;
    private int _current;
    private long _writtenInCurrent;
    private bool _completed;
    private bool _disposed;

    /// <summary>Creates <paramref name="path"/> (it must not exist) and writes its header.</summary>
    /// <param name="path">The file to create.</param>
    /// <param name="tensors">Every tensor, in the order their bytes will be written; names unique.</param>
    /// <param name="metadata">The <c>__metadata__</c> map (may be null); <c>format: pt</c> is added unless given.</param>
    public SafetensorsWriter(string path, IReadOnlyList<TensorSpec> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        Path = path;
        _tensors = tensors;
        _lengths = new long[tensors.Count];
        var header = BuildHeader(tensors, metadata, _lengths);
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
        Span<byte> prefix = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        _stream.Write(prefix);
        _stream.Write(header);
        HeaderLength = header.Length;
        SkipEmptyTensors();
    }

    /// <summary>The file being written.</summary>
    public string Path { get; }

    /// <summary>Length of the JSON header in bytes (padded to a multiple of 8).</summary>
    public long HeaderLength { get; }

    /// <summary>Total bytes of tensor data the file will hold.</summary>
    public long DataLength => _lengths.Sum();

    /// <summary>The tensor whose bytes are expected next, or null when all are written.</summary>
    public TensorSpec? Next => _current < _tensors.Count ? _tensors[_current] : null;

    /// <summary>Appends bytes to the current tensor, moving on to the next tensor when one is full.</summary>
    /// <exception cref="InvalidOperationException">More bytes than the declared tensors hold.</exception>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (!bytes.IsEmpty)
        {
            if (_current >= _tensors.Count)
                throw new InvalidOperationException($"{Path}: {bytes.Length} bytes written past the last declared tensor");
            var room = _lengths[_current] - _writtenInCurrent;
            var take = (int)Math.Min(room, bytes.Length);
            _stream.Write(bytes[..take]);
            bytes = bytes[take..];
            _writtenInCurrent += take;
            if (_writtenInCurrent == _lengths[_current])
            {
                _current++;
                _writtenInCurrent = 0;
                SkipEmptyTensors();
            }
        }
    }

    /// <summary>Checks that every declared byte was written, flushes the file to disk and closes it.</summary>
    /// <exception cref="InvalidOperationException">A tensor is incomplete.</exception>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_current < _tensors.Count)
            throw new InvalidOperationException($"{Path}: tensor '{_tensors[_current].Name}' has {_writtenInCurrent} of {_lengths[_current]} bytes; the file is incomplete");
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        _completed = true;
        _disposed = true;
    }

    /// <summary>Closes the file; an incomplete file is deleted.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _stream.Dispose();
        if (!_completed)
        {
            try { File.Delete(Path); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private void SkipEmptyTensors()
    {
        while (_current < _tensors.Count && _lengths[_current] == 0)
            _current++;
    }

    /// <summary>The padded header bytes for <paramref name="tensors"/> laid out contiguously in order.</summary>
    internal static byte[] BuildHeader(IReadOnlyList<TensorSpec> tensors, IReadOnlyDictionary<string, string>? metadata, long[] lengths)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            // Loaders such as transformers' check format == "pt"; it is always written unless the caller sets it.
            var entries = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["format"] = "pt" };
            foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
                entries[key] = value;
            json.WriteStartObject("__metadata__");
            foreach (var (key, value) in entries)
                json.WriteString(key, value);
            json.WriteEndObject();
            long offset = 0;
            for (var i = 0; i < tensors.Count; i++)
            {
                var t = tensors[i];
                if (t.Name == "__metadata__" || !names.Add(t.Name))
                    throw new ArgumentException($"tensor name '{t.Name}' is reserved or used twice", nameof(tensors));
                if (t.Shape.Any(d => d < 0))
                    throw new ArgumentException($"tensor '{t.Name}' has a negative dimension", nameof(tensors));
                lengths[i] = t.ByteLength;
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", t.DType.ToSafetensorsName());
                json.WriteStartArray("shape");
                foreach (var d in t.Shape)
                    json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + lengths[i]);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += lengths[i];
            }
            json.WriteEndObject();
        }
        var length = buffer.Length;
        var padded = (length + 7) / 8 * 8;
        for (var i = length; i < padded; i++)
            buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    /// <summary>Encodes text as UTF-8 without a byte order mark (used by the index writer).</summary>
    internal static readonly Encoding Utf8NoBom = new UTF8Encoding(false);
}
