// Writes a set of tensors as Hugging Face shards (model-00001-of-0000N.safetensors) plus
// model.safetensors.index.json, streaming; a single shard is named model.safetensors with no index.
using System.Text.Json;

namespace Alloy.Tensors.SafeTensors;

/// <summary>
/// Splits declared tensors into shards of at most <c>maxShardBytes</c> of data each (a tensor larger
/// than that gets a shard of its own; tensors are never split), then streams their bytes in
/// declaration order. <see cref="Complete"/> writes the index with <c>metadata.total_size</c> (bytes
/// of tensor data) and <c>weight_map</c>. Files go straight into <c>folder</c>: use a
/// <see cref="IO.StagingFolder"/> to make the whole output atomic.
/// </summary>
public sealed class ShardedSafetensorsWriter : IDisposable
{
    /// <summary>The index file name Hugging Face loaders look for.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    /// <summary>The file name of an unsharded checkpoint.</summary>
    public const string SingleFileName = "model.safetensors";

    private readonly string _folder;
    private readonly IReadOnlyDictionary<string, string>? _metadata;
    private readonly List<List<TensorSpec>> _shards;
    private readonly List<long> _shardLengths;
    private int _shard = -1;
    private long _remainingInShard;
    private SafetensorsWriter? _writer;
    private bool _completed;

    /// <summary>Plans the shards; no file is created until the first byte is written.</summary>
    /// <param name="folder">An existing folder to write into.</param>
    /// <param name="tensors">Every tensor, in write order; names unique.</param>
    /// <param name="maxShardBytes">Upper bound of tensor data per shard (e.g. 5 GB), at least 1.</param>
    /// <param name="metadata">The <c>__metadata__</c> written into every shard.</param>
    public ShardedSafetensorsWriter(string folder, IReadOnlyList<TensorSpec> tensors, long maxShardBytes, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxShardBytes, 1);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"{folder}: output folder does not exist");
        _folder = folder;
        _metadata = metadata;
        (_shards, _shardLengths) = PlanShards(tensors, maxShardBytes);
        FileNames = _shards.Count == 1
            ? [SingleFileName]
            : [.. Enumerable.Range(1, _shards.Count).Select(i => ShardName(i, _shards.Count))];
        TotalSize = _shardLengths.Sum();
    }

    /// <summary>The shard file names, in order.</summary>
    public IReadOnlyList<string> FileNames { get; }

    /// <summary>Bytes of tensor data over all shards (the index's <c>metadata.total_size</c>).</summary>
    public long TotalSize { get; }

    /// <summary>Which shard file each tensor goes to.</summary>
    public IEnumerable<KeyValuePair<string, string>> WeightMap =>
        _shards.SelectMany((shard, i) => shard.Select(t => KeyValuePair.Create(t.Name, FileNames[i])));

    /// <summary>The Hugging Face shard name, e.g. <c>model-00002-of-00003.safetensors</c>.</summary>
    public static string ShardName(int index, int count) => $"model-{index:D5}-of-{count:D5}.safetensors";

    /// <summary>Appends bytes of the current tensor, moving across tensors and shards as they fill.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_writer == null || _remainingInShard == 0)
                OpenNextShard();
            var take = (int)Math.Min(_remainingInShard, bytes.Length);
            _writer!.Write(bytes[..take]);
            _remainingInShard -= take;
            bytes = bytes[take..];
        }
    }

    /// <summary>Finishes the last shard (and any empty trailing ones) and writes the index when sharded.</summary>
    public void Complete()
    {
        while (_shard < _shards.Count - 1 || _writer != null)
        {
            if (_writer != null)
            {
                if (_writer.Next != null)
                    throw new InvalidOperationException($"tensor '{_writer.Next.Name}' was not fully written");
                _writer.Complete();
                _writer.Dispose();
                _writer = null;
            }
            if (_shard < _shards.Count - 1)
                OpenNextShard();
        }
        if (_shards.Count > 1)
            WriteIndex();
        _completed = true;
    }

    /// <summary>Closes files; after an incomplete run the written shards are deleted.</summary>
    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
        if (_completed)
            return;
        foreach (var name in FileNames)
        {
            try { File.Delete(System.IO.Path.Combine(_folder, name)); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private void OpenNextShard()
    {
        if (_writer != null)
        {
            _writer.Complete();
            _writer.Dispose();
        }
        _shard++;
        if (_shard >= _shards.Count)
            throw new InvalidOperationException("more bytes were written than the declared tensors hold");
        _writer = new SafetensorsWriter(System.IO.Path.Combine(_folder, FileNames[_shard]), _shards[_shard], _metadata);
        _remainingInShard = _shardLengths[_shard];
    }

    private void WriteIndex()
    {
        var path = System.IO.Path.Combine(_folder, IndexFileName);
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteStartObject("metadata");
        json.WriteNumber("total_size", TotalSize);
        json.WriteEndObject();
        json.WriteStartObject("weight_map");
        foreach (var (name, file) in WeightMap.OrderBy(p => p.Key, StringComparer.Ordinal))
            json.WriteString(name, file);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static (List<List<TensorSpec>>, List<long>) PlanShards(IReadOnlyList<TensorSpec> tensors, long maxShardBytes)
    {
        var shards = new List<List<TensorSpec>> { new() };
        var lengths = new List<long> { 0 };
        foreach (var t in tensors)
        {
            var size = t.ByteLength;
            if (shards[^1].Count > 0 && lengths[^1] + size > maxShardBytes)
            {
                shards.Add([]);
                lengths.Add(0);
            }
            shards[^1].Add(t);
            lengths[^1] += size;
        }
        return (shards, lengths);
    }
}
