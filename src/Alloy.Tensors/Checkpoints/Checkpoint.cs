// A Hugging Face model folder opened for reading: config.json, the safetensors weights (one file,
// or an index and its shards, all validated against each other) and the side files beside them.
using System.Collections.Immutable;
using Alloy.Tensors.SafeTensors;

namespace Alloy.Tensors.Checkpoints;

/// <summary>
/// A checkpoint: a model folder (config.json + *.safetensors [+ index] + tokenizer and other side
/// files) or a single .safetensors file. All shards are memory-mapped; no tensor byte is read on open.
/// Every tensor named by the index must be in its shard, and every tensor in a shard must be named
/// by the index, so nothing is silently missing or extra.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    /// <summary>Side files copied along with a merged model, in the order they are listed.</summary>
    public static readonly ImmutableArray<string> KnownSideFiles =
    [
        "tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt", "tokenizer.model",
        "special_tokens_map.json", "added_tokens.json", "generation_config.json", "chat_template.jinja",
        "chat_template.json",
    ];

    private readonly ImmutableArray<SafetensorsFile> _files;
    private readonly Dictionary<string, CheckpointTensor> _byName;

    private Checkpoint(string path, string folder, ModelConfig? config, CheckpointIndex? index,
        ImmutableArray<SafetensorsFile> files, ImmutableArray<CheckpointTensor> tensors, ImmutableArray<string> sideFiles)
    {
        Path = path;
        Folder = folder;
        Config = config;
        Index = index;
        _files = files;
        Tensors = tensors;
        SideFiles = sideFiles;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The path given to <see cref="Open"/>.</summary>
    public string Path { get; }

    /// <summary>The model folder (the file's folder when a single file was opened).</summary>
    public string Folder { get; }

    /// <summary>config.json, or null when the folder has none (or a bare file was opened).</summary>
    public ModelConfig? Config { get; }

    /// <summary>The shard index, or null for a single-file checkpoint.</summary>
    public CheckpointIndex? Index { get; }

    /// <summary>Shard files in order (one for a single-file checkpoint).</summary>
    public IReadOnlyList<SafetensorsFile> Files => _files;

    /// <summary>All tensors, shard by shard in data order.</summary>
    public ImmutableArray<CheckpointTensor> Tensors { get; }

    /// <summary>Names of the known side files present in the folder (tokenizer, generation config, template…).</summary>
    public ImmutableArray<string> SideFiles { get; }

    /// <summary>Total number of elements over all tensors.</summary>
    public long ParameterCount => Tensors.Sum(t => t.ElementCount);

    /// <summary>Total bytes of tensor data.</summary>
    public long DataBytes => Tensors.Sum(t => t.Info.ByteLength);

    /// <summary>
    /// Whether the output projection shares the input embedding: config.json's
    /// <c>tie_word_embeddings</c> when given, else true when there is an embedding but no lm_head tensor.
    /// </summary>
    public bool TiedEmbeddings => Config?.TieWordEmbeddings
        ?? (!Contains("lm_head.weight") && Tensors.Any(t => t.Name.EndsWith("embed_tokens.weight", StringComparison.Ordinal)));

    /// <summary>The config, or an error naming the folder when it has none.</summary>
    public ModelConfig RequireConfig() =>
        Config ?? throw new AlloyInputException($"{Folder}: no config.json; a model folder needs one (copy it from the model's source)");

    /// <summary>True when the checkpoint has a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Looks a tensor up by name.</summary>
    public bool TryGetTensor(string name, out CheckpointTensor tensor) => _byName.TryGetValue(name, out tensor!);

    /// <summary>The tensor called <paramref name="name"/>, or an error naming the checkpoint.</summary>
    public CheckpointTensor GetTensor(string name) =>
        _byName.TryGetValue(name, out var t) ? t : throw new AlloyInputException($"{Path}: no tensor named '{name}'");

    /// <summary>Full path of a side file in the folder, or null when absent.</summary>
    public string? SideFile(string name) => SideFiles.Contains(name) ? System.IO.Path.Combine(Folder, name) : null;

    /// <summary>
    /// Opens a model folder or a single .safetensors file and validates it.
    /// </summary>
    /// <exception cref="AlloyInputException">Missing folder or files, malformed JSON or safetensors, or an index that disagrees with its shards.</exception>
    public static Checkpoint Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
        {
            var file = SafetensorsFile.Open(path);
            var folderOfFile = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
            return new Checkpoint(path, folderOfFile, null, null, [file], [.. file.Tensors.Select(t => new CheckpointTensor(t, file))], []);
        }
        if (!Directory.Exists(path))
            throw new AlloyInputException($"{path}: no such model folder or file; a MODEL is a folder with config.json and *.safetensors");

        var folder = path;
        var configPath = System.IO.Path.Combine(folder, "config.json");
        var config = File.Exists(configPath) ? ModelConfig.Load(configPath) : null;
        var sideFiles = KnownSideFiles.Where(n => File.Exists(System.IO.Path.Combine(folder, n))).ToImmutableArray();

        var indexPath = System.IO.Path.Combine(folder, ShardedSafetensorsWriter.IndexFileName);
        if (File.Exists(indexPath))
        {
            var index = CheckpointIndex.Load(indexPath);
            var (files, tensors) = OpenShards(folder, indexPath, index);
            return new Checkpoint(path, folder, config, index, files, tensors, sideFiles);
        }

        var single = System.IO.Path.Combine(folder, ShardedSafetensorsWriter.SingleFileName);
        if (!File.Exists(single))
        {
            var candidates = Directory.GetFiles(folder, "*.safetensors").Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
            if (candidates.Length == 1)
                single = System.IO.Path.Combine(folder, candidates[0]!);
            else if (candidates.Length > 1)
                throw new AlloyInputException($"{folder}: {candidates.Length} .safetensors files ({string.Join(", ", candidates.Take(4))}{(candidates.Length > 4 ? ", …" : "")}) but no {ShardedSafetensorsWriter.IndexFileName} saying which tensor is where");
            else
            {
                var hint = File.Exists(System.IO.Path.Combine(folder, "pytorch_model.bin")) || Directory.GetFiles(folder, "pytorch_model*.bin").Length > 0
                    ? " (it has pytorch_model*.bin: Alloy reads only safetensors; convert them first)"
                    : "";
                throw new AlloyInputException($"{folder}: no model.safetensors, no {ShardedSafetensorsWriter.IndexFileName} and no other .safetensors file{hint}");
            }
        }
        var only = SafetensorsFile.Open(single);
        return new Checkpoint(path, folder, config, null, [only], [.. only.Tensors.Select(t => new CheckpointTensor(t, only))], sideFiles);
    }

    private static (ImmutableArray<SafetensorsFile>, ImmutableArray<CheckpointTensor>) OpenShards(string folder, string indexPath, CheckpointIndex index)
    {
        if (index.WeightMap.Count == 0)
            throw new SafetensorsFormatException(indexPath, "weight_map is empty; an index must name every tensor and its shard");
        var files = new List<SafetensorsFile>();
        try
        {
            foreach (var shard in index.ShardNames)
            {
                var shardPath = System.IO.Path.Combine(folder, shard);
                if (!File.Exists(shardPath))
                    throw new SafetensorsFormatException(indexPath, $"names the shard '{shard}', which is missing from {folder}");
                files.Add(SafetensorsFile.Open(shardPath));
            }
            var tensors = new List<CheckpointTensor>();
            foreach (var file in files)
            {
                var shardName = System.IO.Path.GetFileName(file.Path);
                foreach (var t in file.Tensors)
                {
                    if (!index.WeightMap.TryGetValue(t.Name, out var mapped))
                        throw new SafetensorsFormatException(indexPath, $"shard '{shardName}' holds tensor '{t.Name}', which the index does not list");
                    if (mapped != shardName)
                        throw new SafetensorsFormatException(indexPath, $"tensor '{t.Name}' is mapped to '{mapped}' but also stored in '{shardName}'");
                    tensors.Add(new CheckpointTensor(t, file));
                }
            }
            foreach (var (name, shard) in index.WeightMap)
            {
                var file = files.First(f => System.IO.Path.GetFileName(f.Path) == shard);
                if (!file.Contains(name))
                    throw new SafetensorsFormatException(indexPath, $"maps tensor '{name}' to '{shard}', which does not contain it");
            }
            return ([.. files], [.. tensors]);
        }
        catch
        {
            foreach (var f in files)
                f.Dispose();
            throw;
        }
    }

    /// <summary>Unmaps every shard.</summary>
    public void Dispose()
    {
        foreach (var f in _files)
            f.Dispose();
    }
}
