// Reads and validates tokenizer.json (+ tokenizer_config.json) into a BpeTokenizer; all file I/O lives here.
// It accepts only what BpeTokenizer reproduces exactly and refuses everything else with a message naming the field.
using System.Text.Json;
using Alloy.Tensors;

namespace Alloy.Inference.Tokenization;

/// <summary>
/// Loader for Hugging Face tokenizer files. Accepted: model type BPE (byte-level: every one of the 256 byte
/// characters in the vocabulary), merges as <c>"a b"</c> strings or <c>["a", "b"]</c> pairs, no dropout, no
/// subword prefix/suffix, no byte fallback, optional <c>ignore_merges</c>; normalizer null, NFC, or a Sequence of
/// those; pre-tokenizer ByteLevel, Split (Regex or String pattern, behaviour Isolated, not inverted), or a
/// Sequence of Splits ending with ByteLevel; decoder ByteLevel (or null). The post-processor is not applied.
/// </summary>
internal static class TokenizerFileReader
{
    /// <summary>GPT-2's pre-tokenizer regex, used by ByteLevel with <c>use_regex: true</c>.</summary>
    internal const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    public static BpeTokenizer Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string tokenizerPath;
        if (Directory.Exists(path))
        {
            tokenizerPath = Path.Combine(path, "tokenizer.json");
            if (!File.Exists(tokenizerPath))
            {
                throw new AlloyInputException($"The model folder {path} has no tokenizer.json (a Hugging Face model folder holds tokenizer.json beside config.json).");
            }
        }
        else if (File.Exists(path))
        {
            tokenizerPath = path;
        }
        else
        {
            throw new AlloyInputException($"Tokenizer path {path} does not exist (give a model folder or a tokenizer.json file).");
        }
        string configPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(tokenizerPath))!, "tokenizer_config.json");
        byte[] tokenizerJson = ReadFile(tokenizerPath);
        byte[]? configJson = File.Exists(configPath) ? ReadFile(configPath) : null;
        return Parse(tokenizerJson, tokenizerPath, configJson, configPath);
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AlloyInputException($"Cannot read {path}: {e.Message}", e);
        }
    }

    /// <summary>Builds a tokenizer from file contents; the names are used in error messages only.</summary>
    internal static BpeTokenizer Parse(byte[] tokenizerJson, string tokenizerName, byte[]? configJson, string configName)
    {
        using JsonDocument document = ParseJson(tokenizerJson, tokenizerName);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new AlloyInputException($"{tokenizerName}: the top level must be a JSON object with \"model\", \"added_tokens\", \"normalizer\", \"pre_tokenizer\" and \"decoder\".");
        }
        if (!root.TryGetProperty("model", out JsonElement model) || model.ValueKind != JsonValueKind.Object)
        {
            throw new AlloyInputException($"{tokenizerName}: \"model\" is missing or not an object.");
        }
        CheckModelOptions(model, tokenizerName);
        (Dictionary<string, int> vocabulary, Dictionary<int, string> vocabularyTokenById) = ReadVocabulary(model, tokenizerName);
        int[] idByByte = new int[256];
        for (int b = 0; b < 256; b++)
        {
            string byteToken = ByteLevelAlphabet.ByteToChar[b].ToString();
            if (!vocabulary.TryGetValue(byteToken, out idByByte[b]))
            {
                throw new AlloyInputException($"{tokenizerName}: model.vocab lacks the byte-level token \"{byteToken}\" (byte 0x{b:X2}); only byte-level BPE vocabularies (all 256 byte tokens present) are supported.");
            }
        }
        (PairRankTable rankByPair, int[] mergedIdByRank) = ReadMerges(model, vocabulary, tokenizerName);
        bool ignoreMerges = model.TryGetProperty("ignore_merges", out JsonElement ignore) && ignore.ValueKind == JsonValueKind.True;
        var merger = new BytePairMerger(rankByPair, mergedIdByRank, idByByte, ignoreMerges ? vocabulary : null);

        List<AddedToken> addedTokens = ReadAddedTokens(root, vocabulary, vocabularyTokenById, tokenizerName);
        bool nfc = ReadNormalizer(root, tokenizerName);
        List<PreTokenizerStep> steps = ReadPreTokenizer(root, tokenizerName);
        CheckDecoder(root, tokenizerName);

        (string? bos, string? eos) = configJson is null ? (null, null) : ReadConfig(configJson, configName);
        var tokenizer = new BpeTokenizer(vocabulary, addedTokens, merger, nfc, steps, bos, eos);
        var (prefix, suffix) = ReadPostProcessor(root, tokenizerName, tokenizer);
        tokenizer.SequencePrefix = prefix;
        tokenizer.SequenceSuffix = suffix;
        return tokenizer;
    }

    // The special tokens HF's post-processor puts around a single sequence (what `tokenizer(text)` adds by default):
    // TemplateProcessing's "single" template, Bert/RobertaProcessing's cls … sep, ByteLevel nothing, Sequence in order.
    private static (int[] Prefix, int[] Suffix) ReadPostProcessor(JsonElement root, string name, BpeTokenizer tokenizer)
    {
        if (!root.TryGetProperty("post_processor", out JsonElement processor) || processor.ValueKind == JsonValueKind.Null)
            return ([], []);
        var prefix = new List<int>();
        var suffix = new List<int>();
        Apply(processor, "post_processor");
        return ([.. prefix], [.. suffix]);

        void Apply(JsonElement p, string where)
        {
            string type = RequiredType(p, name, where);
            switch (type)
            {
                case "ByteLevel":
                    return;
                case "Sequence":
                    if (!p.TryGetProperty("processors", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
                        throw new AlloyInputException($"{name}: {where}.processors must be a list of post-processors.");
                    int i = 0;
                    foreach (JsonElement item in list.EnumerateArray())
                        Apply(item, $"{where}.processors[{i++}]");
                    return;
                case "BertProcessing":
                case "RobertaProcessing":
                    prefix.Add(PairId(p, "cls", where));
                    suffix.Insert(0, PairId(p, "sep", where));
                    return;
                case "TemplateProcessing":
                    if (!p.TryGetProperty("single", out JsonElement single) || single.ValueKind != JsonValueKind.Array)
                        throw new AlloyInputException($"{name}: {where}.single must be a list of template pieces.");
                    bool afterSequence = false;
                    foreach (JsonElement piece in single.EnumerateArray())
                    {
                        if (piece.TryGetProperty("Sequence", out _))
                        {
                            afterSequence = true;
                            continue;
                        }
                        if (!piece.TryGetProperty("SpecialToken", out JsonElement special) || !special.TryGetProperty("id", out JsonElement idName) || idName.ValueKind != JsonValueKind.String)
                            throw new AlloyInputException($"{name}: {where}.single has a piece that is neither Sequence nor SpecialToken with an id.");
                        var ids = SpecialIds(p, idName.GetString()!, where);
                        (afterSequence ? suffix : prefix).AddRange(ids);
                    }
                    return;
                default:
                    throw new AlloyInputException($"{name}: {where}.type is \"{type}\"; supported: TemplateProcessing, ByteLevel, BertProcessing, RobertaProcessing, Sequence.");
            }
        }

        int PairId(JsonElement p, string field, string where)
        {
            if (p.TryGetProperty(field, out JsonElement pair) && pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() == 2
                && pair[1].TryGetInt32(out int id) && id >= 0 && id < tokenizer.VocabSize)
                return id;
            throw new AlloyInputException($"{name}: {where}.{field} must be [token, id] with an id inside the vocabulary.");
        }

        int[] SpecialIds(JsonElement p, string token, string where)
        {
            if (p.TryGetProperty("special_tokens", out JsonElement map) && map.ValueKind == JsonValueKind.Object
                && map.TryGetProperty(token, out JsonElement entry) && entry.TryGetProperty("ids", out JsonElement ids) && ids.ValueKind == JsonValueKind.Array)
            {
                var result = new List<int>();
                foreach (JsonElement id in ids.EnumerateArray())
                    result.Add(id.TryGetInt32(out int v) && v >= 0 && v < tokenizer.VocabSize ? v
                        : throw new AlloyInputException($"{name}: {where}.special_tokens[\"{token}\"].ids holds an id outside the vocabulary."));
                return [.. result];
            }
            return tokenizer.TokenToId(token) is int known ? [known]
                : throw new AlloyInputException($"{name}: {where} names special token \"{token}\", which is neither in special_tokens nor in the vocabulary.");
        }
    }

    private static JsonDocument ParseJson(byte[] json, string name)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new AlloyInputException($"{name} is not valid JSON: {e.Message}", e);
        }
    }

    private static void CheckModelOptions(JsonElement model, string name)
    {
        string? type = OptionalString(model, "type", name, "model");
        if (type is not null and not "BPE")
        {
            throw new AlloyInputException($"{name}: model.type is \"{type}\"; only byte-level \"BPE\" is supported (not Unigram, WordPiece or WordLevel).");
        }
        if (model.TryGetProperty("dropout", out JsonElement dropout) && dropout.ValueKind == JsonValueKind.Number && dropout.GetDouble() != 0)
        {
            throw new AlloyInputException($"{name}: model.dropout is {dropout.GetRawText()}; BPE dropout is random and cannot give reproducible ids (expected null).");
        }
        foreach (string field in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
        {
            string? value = OptionalString(model, field, name, "model");
            if (!string.IsNullOrEmpty(value))
            {
                throw new AlloyInputException($"{name}: model.{field} is \"{value}\"; byte-level BPE uses none (expected null or \"\").");
            }
        }
        if (model.TryGetProperty("byte_fallback", out JsonElement fallback) && fallback.ValueKind == JsonValueKind.True)
        {
            throw new AlloyInputException($"{name}: model.byte_fallback is true (a SentencePiece-style BPE); only byte-level BPE is supported.");
        }
    }

    private static (Dictionary<string, int> IdByToken, Dictionary<int, string> TokenById) ReadVocabulary(JsonElement model, string name)
    {
        if (!model.TryGetProperty("vocab", out JsonElement vocab) || vocab.ValueKind != JsonValueKind.Object)
        {
            throw new AlloyInputException($"{name}: model.vocab is missing or not an object of token → id.");
        }
        int count = vocab.GetPropertyCount();
        var vocabulary = new Dictionary<string, int>(count, StringComparer.Ordinal);
        var tokenById = new Dictionary<int, string>(count);
        foreach (JsonProperty entry in vocab.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id) || id < 0)
            {
                throw new AlloyInputException($"{name}: model.vocab[\"{entry.Name}\"] is {entry.Value.GetRawText()}; ids must be non-negative integers.");
            }
            if (!vocabulary.TryAdd(entry.Name, id))
            {
                throw new AlloyInputException($"{name}: model.vocab lists \"{entry.Name}\" twice.");
            }
            if (!tokenById.TryAdd(id, entry.Name))
            {
                throw new AlloyInputException($"{name}: model.vocab gives id {id} to both \"{tokenById[id]}\" and \"{entry.Name}\".");
            }
        }
        return (vocabulary, tokenById);
    }

    private static (PairRankTable RankByPair, int[] MergedIdByRank) ReadMerges(JsonElement model, Dictionary<string, int> vocabulary, string name)
    {
        if (!model.TryGetProperty("merges", out JsonElement merges) || merges.ValueKind != JsonValueKind.Array)
        {
            throw new AlloyInputException($"{name}: model.merges is missing or not an array.");
        }
        var pairsByRank = new List<(int Left, int Right)>(merges.GetArrayLength());
        int[] mergedIdByRank = new int[merges.GetArrayLength()];
        int rank = 0;
        foreach (JsonElement merge in merges.EnumerateArray())
        {
            (string left, string right) = ReadMergePair(merge, rank, name);
            int leftId = LookUpMergePart(vocabulary, left, merge, rank, name);
            int rightId = LookUpMergePart(vocabulary, right, merge, rank, name);
            int mergedId = LookUpMergePart(vocabulary, left + right, merge, rank, name);
            pairsByRank.Add((leftId, rightId));
            mergedIdByRank[rank] = mergedId;
            rank++;
        }
        return (new PairRankTable(pairsByRank), mergedIdByRank);
    }

    private static (string Left, string Right) ReadMergePair(JsonElement merge, int rank, string name)
    {
        if (merge.ValueKind == JsonValueKind.String)
        {
            string text = merge.GetString()!;
            string[] parts = text.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                throw new AlloyInputException($"{name}: model.merges[{rank}] is \"{text}\"; a string merge must be two tokens separated by one space.");
            }
            return (parts[0], parts[1]);
        }
        if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
            && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
        {
            return (merge[0].GetString()!, merge[1].GetString()!);
        }
        throw new AlloyInputException($"{name}: model.merges[{rank}] is {merge.GetRawText()}; expected \"a b\" or [\"a\", \"b\"].");
    }

    private static int LookUpMergePart(Dictionary<string, int> vocabulary, string token, JsonElement merge, int rank, string name) =>
        vocabulary.TryGetValue(token, out int id)
            ? id
            : throw new AlloyInputException($"{name}: model.merges[{rank}] {merge.GetRawText()} needs token \"{token}\", which is not in model.vocab.");

    private static List<AddedToken> ReadAddedTokens(JsonElement root, Dictionary<string, int> vocabulary, Dictionary<int, string> vocabularyTokenById, string name)
    {
        var tokens = new List<AddedToken>();
        if (!root.TryGetProperty("added_tokens", out JsonElement array) || array.ValueKind == JsonValueKind.Null)
        {
            return tokens;
        }
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new AlloyInputException($"{name}: added_tokens must be an array.");
        }
        var seenContent = new HashSet<string>(StringComparer.Ordinal);
        var seenIds = new HashSet<int>();
        int index = 0;
        foreach (JsonElement entry in array.EnumerateArray())
        {
            string where = $"added_tokens[{index}]";
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw new AlloyInputException($"{name}: {where} must be an object with id and content.");
            }
            if (!entry.TryGetProperty("id", out JsonElement idElement) || !idElement.TryGetInt32(out int id) || id < 0)
            {
                throw new AlloyInputException($"{name}: {where}.id is missing or not a non-negative integer.");
            }
            string? content = OptionalString(entry, "content", name, where);
            if (string.IsNullOrEmpty(content))
            {
                throw new AlloyInputException($"{name}: {where}.content is missing or empty.");
            }
            if (vocabulary.TryGetValue(content, out int vocabId) && vocabId != id)
            {
                throw new AlloyInputException($"{name}: {where} \"{content}\" has id {id} but model.vocab gives it id {vocabId}.");
            }
            if (vocabularyTokenById.TryGetValue(id, out string? other) && other != content)
            {
                throw new AlloyInputException($"{name}: {where} \"{content}\" has id {id}, which model.vocab gives to \"{other}\".");
            }
            if (!seenContent.Add(content) || !seenIds.Add(id))
            {
                throw new AlloyInputException($"{name}: {where} \"{content}\" (id {id}) repeats an earlier added token.");
            }
            bool special = Flag(entry, "special", false, name, where);
            tokens.Add(new AddedToken(
                id,
                content,
                special,
                SingleWord: Flag(entry, "single_word", false, name, where),
                LeftStrip: Flag(entry, "lstrip", false, name, where),
                RightStrip: Flag(entry, "rstrip", false, name, where),
                // Hugging Face's default: special tokens are matched in raw text, others after normalization.
                Normalized: Flag(entry, "normalized", !special, name, where)));
            index++;
        }
        return tokens;
    }

    private static bool ReadNormalizer(JsonElement root, string name)
    {
        if (!root.TryGetProperty("normalizer", out JsonElement normalizer) || normalizer.ValueKind == JsonValueKind.Null)
        {
            return false;
        }
        return NormalizerIsNfc(normalizer, name, "normalizer");
    }

    private static bool NormalizerIsNfc(JsonElement normalizer, string name, string where)
    {
        string type = RequiredType(normalizer, name, where);
        switch (type)
        {
            case "NFC":
                return true;
            case "Sequence":
            {
                if (!normalizer.TryGetProperty("normalizers", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
                {
                    throw new AlloyInputException($"{name}: {where}.normalizers must be an array.");
                }
                bool nfc = false;
                int i = 0;
                foreach (JsonElement inner in list.EnumerateArray())
                {
                    nfc |= NormalizerIsNfc(inner, name, $"{where}.normalizers[{i++}]");
                }
                return nfc;
            }
            default:
                throw new AlloyInputException($"{name}: {where}.type is \"{type}\"; only NFC (alone or in a Sequence) is supported.");
        }
    }

    private static List<PreTokenizerStep> ReadPreTokenizer(JsonElement root, string name)
    {
        if (!root.TryGetProperty("pre_tokenizer", out JsonElement preTokenizer) || preTokenizer.ValueKind == JsonValueKind.Null)
        {
            throw new AlloyInputException($"{name}: pre_tokenizer is missing; a byte-level BPE needs a ByteLevel pre-tokenizer.");
        }
        var steps = new List<PreTokenizerStep>();
        bool byteLevelSeen = false;
        if (RequiredType(preTokenizer, name, "pre_tokenizer") == "Sequence")
        {
            if (!preTokenizer.TryGetProperty("pretokenizers", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new AlloyInputException($"{name}: pre_tokenizer.pretokenizers must be an array.");
            }
            int i = 0;
            foreach (JsonElement inner in list.EnumerateArray())
            {
                AddStep(inner, name, $"pre_tokenizer.pretokenizers[{i++}]", steps, ref byteLevelSeen);
            }
        }
        else
        {
            AddStep(preTokenizer, name, "pre_tokenizer", steps, ref byteLevelSeen);
        }
        if (!byteLevelSeen)
        {
            throw new AlloyInputException($"{name}: the pre-tokenizer has no ByteLevel step; only byte-level BPE is supported.");
        }
        return steps;
    }

    private static void AddStep(JsonElement step, string name, string where, List<PreTokenizerStep> steps, ref bool byteLevelSeen)
    {
        string type = RequiredType(step, name, where);
        if (byteLevelSeen)
        {
            throw new AlloyInputException($"{name}: {where} ({type}) comes after the ByteLevel step; only steps before ByteLevel are supported.");
        }
        switch (type)
        {
            case "ByteLevel":
            {
                bool prefixSpace = Flag(step, "add_prefix_space", false, name, where);
                bool useRegex = Flag(step, "use_regex", true, name, where);
                steps.Add(new PreTokenizerStep(prefixSpace, useRegex ? SplitRegex.FromOniguruma(Gpt2Pattern, $"{name}: {where}") : null));
                byteLevelSeen = true;
                return;
            }
            case "Split":
            {
                string behavior = OptionalString(step, "behavior", name, where) ?? "";
                if (behavior != "Isolated")
                {
                    throw new AlloyInputException($"{name}: {where}.behavior is \"{behavior}\"; only \"Isolated\" is supported.");
                }
                if (Flag(step, "invert", false, name, where))
                {
                    throw new AlloyInputException($"{name}: {where}.invert is true; only false is supported.");
                }
                if (!step.TryGetProperty("pattern", out JsonElement pattern) || pattern.ValueKind != JsonValueKind.Object)
                {
                    throw new AlloyInputException($"{name}: {where}.pattern must be {{\"Regex\": ...}} or {{\"String\": ...}}.");
                }
                string? regex = OptionalString(pattern, "Regex", name, $"{where}.pattern");
                string? literal = OptionalString(pattern, "String", name, $"{where}.pattern");
                SplitRegex split = regex is not null
                    ? SplitRegex.FromOniguruma(regex, $"{name}: {where}.pattern.Regex")
                    : literal is { Length: > 0 }
                        ? SplitRegex.FromLiteral(literal)
                        : throw new AlloyInputException($"{name}: {where}.pattern must hold a non-empty \"Regex\" or \"String\".");
                steps.Add(new PreTokenizerStep(false, split));
                return;
            }
            default:
                throw new AlloyInputException($"{name}: {where}.type is \"{type}\"; supported pre-tokenizers are Split (Isolated) and ByteLevel, alone or in a Sequence.");
        }
    }

    private static void CheckDecoder(JsonElement root, string name)
    {
        if (!root.TryGetProperty("decoder", out JsonElement decoder) || decoder.ValueKind == JsonValueKind.Null)
        {
            return;
        }
        string type = RequiredType(decoder, name, "decoder");
        if (type != "ByteLevel")
        {
            throw new AlloyInputException($"{name}: decoder.type is \"{type}\"; only ByteLevel is supported.");
        }
    }

    private static (string? Bos, string? Eos) ReadConfig(byte[] json, string name)
    {
        using JsonDocument document = ParseJson(json, name);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new AlloyInputException($"{name}: the top level must be a JSON object.");
        }
        return (TokenField(root, "bos_token", name), TokenField(root, "eos_token", name));
    }

    /// <summary>A tokenizer_config token: a string, an object with "content", or null.</summary>
    private static string? TokenField(JsonElement root, string field, string name)
    {
        if (!root.TryGetProperty(field, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("content", out JsonElement content) && content.ValueKind == JsonValueKind.String)
        {
            return content.GetString();
        }
        throw new AlloyInputException($"{name}: {field} must be a string, an object with \"content\", or null.");
    }

    private static string RequiredType(JsonElement element, string name, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new AlloyInputException($"{name}: {where} must be an object with a \"type\".");
        }
        return OptionalString(element, "type", name, where)
            ?? throw new AlloyInputException($"{name}: {where} has no \"type\".");
    }

    private static string? OptionalString(JsonElement element, string field, string name, string where)
    {
        if (!element.TryGetProperty(field, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new AlloyInputException($"{name}: {where}.{field} must be a string, not {value.GetRawText()}.");
    }

    private static bool Flag(JsonElement element, string field, bool defaultValue, string name, string where)
    {
        if (!element.TryGetProperty(field, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return defaultValue;
        }
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new AlloyInputException($"{name}: {where}.{field} must be true or false, not {value.GetRawText()}."),
        };
    }
}
