// Memory-mapped, zero-copy reader of one .safetensors file: validates the header, then hands out
// spans straight from the mapping. It never copies tensor data and never allocates by data size.
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace Alloy.Tensors.SafeTensors;

/// <summary>
/// A safetensors file opened read-only through a memory mapping. The layout is
/// <c>[u64 little-endian N][N bytes of UTF-8 JSON header][data section]</c>; tensor offsets are
/// relative to the data section. Spans returned by this type are valid until it is disposed.
/// Thread-safe for concurrent reads.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _base;
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle? _handle;
    private readonly Dictionary<string, TensorInfo> _byName;
    private bool _disposed;

    private SafetensorsFile(string path, long fileLength, long dataStart, SafetensorsHeader header,
        MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* basePointer)
    {
        Path = path;
        FileLength = fileLength;
        DataStart = dataStart;
        Header = header;
        _map = map;
        _view = view;
        _base = basePointer;
        _handle = map == null ? null : File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        _byName = new Dictionary<string, TensorInfo>(header.Tensors.Length, StringComparer.Ordinal);
        foreach (var t in header.Tensors)
            _byName.Add(t.Name, t);
    }

    /// <summary>The path the file was opened from.</summary>
    public string Path { get; }

    /// <summary>Size of the whole file in bytes.</summary>
    public long FileLength { get; }

    /// <summary>Offset of the data section from the start of the file (8 + header length).</summary>
    public long DataStart { get; }

    /// <summary>The validated header.</summary>
    public SafetensorsHeader Header { get; }

    /// <summary>Tensors in data-section order.</summary>
    public ImmutableArray<TensorInfo> Tensors => Header.Tensors;

    /// <summary>The <c>__metadata__</c> map (empty when absent).</summary>
    public ImmutableDictionary<string, string> Metadata => Header.Metadata;

    /// <summary>
    /// Opens and validates <paramref name="path"/>. Reads only the 8-byte length and the header
    /// before mapping; tensor bytes are paged in on access.
    /// </summary>
    /// <exception cref="SafetensorsFormatException">The file is missing, unreadable or malformed.</exception>
    public static SafetensorsFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        long fileLength;
        long headerLength;
        byte[] headerBytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.None);
            fileLength = stream.Length;
            if (fileLength < 8)
                throw new SafetensorsFormatException(path, fileLength == 0
                    ? "the file is empty; a safetensors file starts with an 8-byte header length"
                    : $"the file is {fileLength} bytes; a safetensors file starts with an 8-byte header length");
            Span<byte> prefix = stackalloc byte[8];
            stream.ReadExactly(prefix);
            var declared = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (declared > SafetensorsHeader.MaxHeaderBytes)
                throw new SafetensorsFormatException(path, $"the header length is {declared} bytes, over the {SafetensorsHeader.MaxHeaderBytes}-byte limit; the file is not safetensors or is corrupt");
            if (declared > (ulong)(fileLength - 8))
                throw new SafetensorsFormatException(path, $"the header length is {declared} bytes but only {fileLength - 8} bytes follow it; the file is truncated or not safetensors");
            if (declared < 2)
                throw new SafetensorsFormatException(path, $"the header length is {declared} bytes; a header is at least the JSON object '{{}}'");
            headerLength = (long)declared;
            headerBytes = new byte[headerLength];
            stream.ReadExactly(headerBytes);
        }
        catch (FileNotFoundException e)
        {
            throw new SafetensorsFormatException(path, "file not found", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new SafetensorsFormatException(path, "file not found (its folder does not exist)", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new SafetensorsFormatException(path, "permission denied, or the path is a folder", e);
        }
        catch (EndOfStreamException e)
        {
            throw new SafetensorsFormatException(path, "the file ended while reading its header (it changed while being read?)", e);
        }
        catch (IOException e)
        {
            throw new SafetensorsFormatException(path, $"cannot read the file: {e.Message}", e);
        }

        var dataStart = 8 + headerLength;
        var header = SafetensorsHeader.Parse(headerBytes, fileLength - dataStart, path);
        if (fileLength == dataStart)
            return new SafetensorsFile(path, fileLength, dataStart, header, null, null, null);

        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        try
        {
            map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            if (view.Capacity < fileLength)
                throw new SafetensorsFormatException(path, $"the file shrank while being opened ({view.Capacity} < {fileLength} bytes)");
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            pointer += view.PointerOffset;
            MemoryAdvice.Sequential(pointer, fileLength);
            return new SafetensorsFile(path, fileLength, dataStart, header, map, view, pointer);
        }
        catch (IOException e)
        {
            view?.Dispose();
            map?.Dispose();
            throw new SafetensorsFormatException(path, $"cannot map the file: {e.Message}", e);
        }
        catch
        {
            view?.Dispose();
            map?.Dispose();
            throw;
        }
    }

    /// <summary>Looks a tensor up by name.</summary>
    public bool TryGetTensor(string name, out TensorInfo info) => _byName.TryGetValue(name, out info!);

    /// <summary>True when the file holds a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <exception cref="AlloyInputException">No such tensor; the message names the file.</exception>
    public TensorInfo GetTensor(string name) =>
        _byName.TryGetValue(name, out var info) ? info : throw new AlloyInputException($"{Path}: no tensor named '{name}'");

    /// <summary>
    /// All bytes of <paramref name="tensor"/> (little-endian elements), zero-copy.
    /// Tensors over 2 GiB must be read in parts with <see cref="GetBytes(TensorInfo, long, int)"/>.
    /// </summary>
    public ReadOnlySpan<byte> GetBytes(TensorInfo tensor)
    {
        if (tensor.ByteLength > int.MaxValue)
            throw new InvalidOperationException($"{Path}: tensor '{tensor.Name}' is {tensor.ByteLength} bytes, over one span's limit; read it in parts");
        return GetBytes(tensor, 0, (int)tensor.ByteLength);
    }

    /// <summary>Bytes <c>[offset, offset + length)</c> of <paramref name="tensor"/>, zero-copy.</summary>
    public ReadOnlySpan<byte> GetBytes(TensorInfo tensor, long offset, int length)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_byName.TryGetValue(tensor.Name, out var own) || own != tensor)
            throw new ArgumentException($"tensor '{tensor.Name}' does not belong to {Path}", nameof(tensor));
        if (offset < 0 || length < 0 || offset + length > tensor.ByteLength)
            throw new ArgumentOutOfRangeException(nameof(offset), $"[{offset}, {offset + length}) is outside tensor '{tensor.Name}' ({tensor.ByteLength} bytes)");
        if (length == 0)
            return [];
        return new ReadOnlySpan<byte>(_base + DataStart + tensor.Begin + offset, length);
    }

    /// <summary>
    /// Copies bytes <c>[offset, offset + destination.Length)</c> of <paramref name="tensor"/> into
    /// <paramref name="destination"/> with positional reads (pread), the fastest way to stream a
    /// tensor once: unlike first touches of a fresh mapping it takes no page faults. Use
    /// <see cref="GetBytes(TensorInfo, long, int)"/> for random or repeated access.
    /// </summary>
    /// <exception cref="SafetensorsFormatException">The file ended early (it was truncated after opening).</exception>
    public void Read(TensorInfo tensor, long offset, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_byName.TryGetValue(tensor.Name, out var own) || own != tensor)
            throw new ArgumentException($"tensor '{tensor.Name}' does not belong to {Path}", nameof(tensor));
        if (offset < 0 || offset + destination.Length > tensor.ByteLength)
            throw new ArgumentOutOfRangeException(nameof(offset), $"[{offset}, {offset + destination.Length}) is outside tensor '{tensor.Name}' ({tensor.ByteLength} bytes)");
        var position = DataStart + tensor.Begin + offset;
        while (!destination.IsEmpty)
        {
            var n = RandomAccess.Read(_handle!, destination, position);
            if (n <= 0)
                throw new SafetensorsFormatException(Path, $"the file ended while reading tensor '{tensor.Name}'; it changed after it was opened");
            destination = destination[n..];
            position += n;
        }
    }

    /// <summary>
    /// Asks the kernel to start reading <paramref name="tensor"/> in the background (madvise WILLNEED)
    /// so that a later access finds it in the page cache; returns at once. A no-op where unsupported.
    /// </summary>
    public void Prefetch(TensorInfo tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (_base != null && tensor.ByteLength > 0)
            MemoryAdvice.WillNeed(_base + DataStart + tensor.Begin, tensor.ByteLength);
    }

    /// <summary>
    /// Reads <paramref name="tensor"/>'s pages in and maps them in one system call (madvise
    /// POPULATE_READ, Linux 5.14+), so that touching the span afterwards takes no page faults.
    /// Blocks until done; falls back to <see cref="Prefetch"/> where unsupported.
    /// </summary>
    public void Populate(TensorInfo tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (_base != null && tensor.ByteLength > 0 && !MemoryAdvice.PopulateRead(_base + DataStart + tensor.Begin, tensor.ByteLength))
            MemoryAdvice.WillNeed(_base + DataStart + tensor.Begin, tensor.ByteLength);
    }

    /// <summary>Unmaps the file. Spans handed out before are invalid afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (_view != null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map?.Dispose();
        _handle?.Dispose();
    }
}

/// <summary>madvise hints for mapped files (Linux); silently skipped elsewhere or on failure.</summary>
internal static unsafe partial class MemoryAdvice
{
    private const int MadvSequential = 2;
    private const int MadvWillNeed = 3;
    private const int MadvPopulateRead = 22;

    public static void Sequential(byte* address, long length) => Advise(address, length, MadvSequential);

    public static void WillNeed(byte* address, long length) => Advise(address, length, MadvWillNeed);

    /// <summary>True when the kernel populated the range; false when it does not support it.</summary>
    public static bool PopulateRead(byte* address, long length) => Advise(address, length, MadvPopulateRead);

    private static bool Advise(byte* address, long length, int advice)
    {
        if (!OperatingSystem.IsLinux() || length <= 0)
            return false;
        const long Page = 4096;
        var start = (long)address & ~(Page - 1);
        var end = (long)address + length;
        try { return Madvise((nint)start, (nuint)(end - start), advice) == 0; }
        catch (DllNotFoundException) { return false; }
        catch (EntryPointNotFoundException) { return false; }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
