// Which files of a model repository Alloy needs: weights, their index, configs and tokenizer files at the top level.
// A name filter only; the snapshot downloader applies it to the revision's file list.
namespace Alloy.Tensors.Hub;

/// <summary>The files of a repository that <c>alloy pull</c> fetches.</summary>
public static class HubFileSelection
{
    private static readonly HashSet<string> SideFiles = new(StringComparer.Ordinal)
    {
        "config.json",
        "generation_config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "chat_template.jinja",
        "vocab.json",
        "vocab.txt",
        "merges.txt",
    };

    /// <summary>
    /// True for a top-level <c>*.safetensors</c>, <c>*.safetensors.index.json</c>, config, generation config,
    /// tokenizer, special tokens map, chat template, vocab or merges file; false for everything else
    /// (other weight formats, files in sub-folders, READMEs, images).
    /// </summary>
    public static bool IsNeeded(string repositoryPath)
    {
        ArgumentNullException.ThrowIfNull(repositoryPath);
        if (repositoryPath.Contains('/', StringComparison.Ordinal))
            return false;
        return repositoryPath.EndsWith(".safetensors", StringComparison.Ordinal)
            || repositoryPath.EndsWith(".safetensors.index.json", StringComparison.Ordinal)
            || SideFiles.Contains(repositoryPath);
    }
}
