// Exact Hugging Face tokenizer.json byte-level BPE (Qwen2/Qwen3, Llama 3, GPT-2 style): encode and decode.
// Our own rather than Microsoft.ML.Tokenizers 2.0.1: that library reproduced 38 of 39 golden Qwen3 cases but split
// supplementary-plane digits wrongly (its regex runs on UTF-16 units), has no ignore_merges (Llama 3), no
// lstrip/rstrip/single_word/normalized flags and no way to read special tokens as plain text.
// Not here: reading files (TokenizerFileReader), chat templates, post-processor templates (BOS is not added).
using System.Runtime.CompilerServices;
using System.Text;

namespace Alloy.Inference.Tokenization;

/// <summary>
/// A byte-level BPE tokenizer loaded from a Hugging Face <c>tokenizer.json</c>, reproducing its token ids exactly.
/// </summary>
/// <remarks>
/// <para>Encoding pipeline (Hugging Face order): lone UTF-16 surrogates become U+FFFD; added tokens with
/// <c>normalized=false</c> are cut out of the raw text; each remaining piece is normalized (NFC when the file
/// asks for it) and searched for added tokens with <c>normalized=true</c>; the rest is pre-tokenized (the file's
/// split regex with "Isolated" behaviour, then the ByteLevel step, optionally with its own GPT-2 regex and
/// prefix space) and each word is BPE-merged over its UTF-8 bytes.</para>
/// <para>Decoding: each id's token is turned back into bytes through the byte-level alphabet (a token with a
/// character outside the alphabet, such as an added token with non-ASCII text, contributes its UTF-8 bytes as is),
/// the bytes are concatenated and read as UTF-8 with invalid sequences replaced by U+FFFD. Ids that name no
/// token (negative, ≥ <see cref="VocabSize"/>, or a gap) are skipped, as Hugging Face does.</para>
/// <para>Instances are immutable apart from an internal word cache and are safe to use from several threads.</para>
/// </remarks>
public sealed class BpeTokenizer
{
    private readonly Dictionary<string, int> idByToken;
    private readonly string?[] tokenById;
    private readonly bool[] isSpecialById;
    private readonly byte[] decodedBytes;
    private readonly int[] decodedOffsets;
    private readonly BytePairMerger merger;
    private readonly AddedTokenMatcher rawAddedTokens;
    private readonly AddedTokenMatcher normalizedAddedTokens;
    private readonly bool normalizeNfc;
    private readonly IReadOnlyList<PreTokenizerStep> steps;

    [ThreadStatic] private static List<(int Start, int Length)>[]? piecesByDepth;

    internal BpeTokenizer(
        Dictionary<string, int> vocabulary,
        IReadOnlyList<AddedToken> addedTokens,
        BytePairMerger merger,
        bool normalizeNfc,
        IReadOnlyList<PreTokenizerStep> steps,
        string? beginningOfSequenceToken,
        string? endOfSequenceToken)
    {
        this.merger = merger;
        this.normalizeNfc = normalizeNfc;
        this.steps = steps;
        AddedTokens = addedTokens;
        idByToken = new Dictionary<string, int>(vocabulary, StringComparer.Ordinal);
        int size = 0;
        foreach (int id in vocabulary.Values)
        {
            size = Math.Max(size, id + 1);
        }
        foreach (AddedToken token in addedTokens)
        {
            size = Math.Max(size, token.Id + 1);
            idByToken[token.Content] = token.Id;
        }
        VocabSize = size;
        tokenById = new string?[size];
        isSpecialById = new bool[size];
        foreach ((string token, int id) in vocabulary)
        {
            tokenById[id] = token;
        }
        foreach (AddedToken token in addedTokens)
        {
            tokenById[token.Id] = token.Content;
            isSpecialById[token.Id] = token.Special;
        }
        SpecialIds = addedTokens.Where(t => t.Special).Select(t => t.Id).Order().ToArray();
        (decodedBytes, decodedOffsets) = BuildDecodedBytes(tokenById);
        rawAddedTokens = new AddedTokenMatcher(addedTokens.Where(t => !t.Normalized));
        normalizedAddedTokens = new AddedTokenMatcher(addedTokens.Where(t => t.Normalized));
        BeginningOfSequenceId = beginningOfSequenceToken is null ? null : TokenToId(beginningOfSequenceToken);
        EndOfSequenceId = endOfSequenceToken is null ? null : TokenToId(endOfSequenceToken);
    }

    /// <summary>One more than the largest token id (vocabulary and added tokens); ids below it may still be gaps.</summary>
    public int VocabSize { get; }

    /// <summary>Ids of the added tokens marked <c>special</c> (control tokens such as <c>&lt;|im_end|&gt;</c>), ascending.</summary>
    public IReadOnlyList<int> SpecialIds { get; }

    /// <summary>All added tokens (special or not) in file order.</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <summary>
    /// Ids tokenizer.json's post-processor puts before a single sequence (Llama 3: <c>&lt;|begin_of_text|&gt;</c>; Qwen: none),
    /// i.e. what Hugging Face's <c>tokenizer(text)</c> and vLLM's completions endpoint add by default.
    /// </summary>
    public IReadOnlyList<int> SequencePrefix { get; internal set; } = [];

    /// <summary>Ids the post-processor puts after a single sequence (BERT-style <c>[SEP]</c>; none for Qwen and Llama).</summary>
    public IReadOnlyList<int> SequenceSuffix { get; internal set; } = [];

    /// <summary>
    /// <see cref="Encode"/> with special tokens recognised, wrapped in <see cref="SequencePrefix"/> and
    /// <see cref="SequenceSuffix"/> — except that a prefix (or suffix) the text already carries is not added twice.
    /// Use it for raw prompts fed to a model; chat templates write their own special tokens.
    /// </summary>
    public int[] EncodeWithSpecialTokens(string text)
    {
        var ids = Encode(text, allowSpecial: true);
        bool hasPrefix = SequencePrefix.Count > 0 && ids.AsSpan().StartsWith([.. SequencePrefix]);
        bool hasSuffix = SequenceSuffix.Count > 0 && ids.AsSpan().EndsWith([.. SequenceSuffix]);
        if ((SequencePrefix.Count == 0 || hasPrefix) && (SequenceSuffix.Count == 0 || hasSuffix))
            return ids;
        return [.. hasPrefix ? [] : SequencePrefix, .. ids, .. hasSuffix ? [] : SequenceSuffix];
    }

    /// <summary>Id of <c>bos_token</c> from tokenizer_config.json, when present and known.</summary>
    public int? BeginningOfSequenceId { get; }

    /// <summary>Id of <c>eos_token</c> from tokenizer_config.json (e.g. <c>&lt;|im_end|&gt;</c> for Qwen3), when present and known.</summary>
    public int? EndOfSequenceId { get; }

    /// <summary>
    /// Loads a tokenizer from a model folder (reads <c>tokenizer.json</c> and, if present,
    /// <c>tokenizer_config.json</c>) or from the path of a <c>tokenizer.json</c> file.
    /// </summary>
    /// <exception cref="Alloy.Tensors.AlloyInputException">The files are missing, not JSON, or describe a
    /// tokenizer this class cannot reproduce exactly; the message names the file and field.</exception>
    public static BpeTokenizer Load(string path) => TokenizerFileReader.Load(path);

    /// <summary>The id of a token string (vocabulary entry in byte-level form, or added-token content), or null.</summary>
    public int? TokenToId(string token) => idByToken.TryGetValue(token, out int id) ? id : null;

    /// <summary>The token string of an id (byte-level form for vocabulary entries), or null for an unknown id.</summary>
    public string? IdToToken(int id) => (uint)id < (uint)tokenById.Length ? tokenById[id] : null;

    /// <summary>True when <paramref name="id"/> is an added token marked <c>special</c>.</summary>
    public bool IsSpecial(int id) => (uint)id < (uint)isSpecialById.Length && isSpecialById[id];

    /// <summary>
    /// Token ids of <paramref name="text"/>. With <paramref name="allowSpecial"/> (the default, and the CLI
    /// contract) special tokens written in the text, such as <c>&lt;|im_start|&gt;</c>, become their ids; without it
    /// they are tokenized as ordinary text. Non-special added tokens (<c>&lt;think&gt;</c>) are always matched.
    /// No BOS/EOS is added. Empty text gives no ids.
    /// </summary>
    public int[] Encode(string text, bool allowSpecial = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>((text.Length / 3) + 4);
        EncodeInto(text, allowSpecial, ids);
        return ids.ToArray();
    }

    /// <summary>As <see cref="Encode"/>, appending to <paramref name="ids"/> (no array per call).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void EncodeInto(string text, bool allowSpecial, List<int> ids)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(ids);
        string raw = ReplaceLoneSurrogates(text);
        var rawSegments = new List<AddedTokenMatcher.Segment>();
        rawAddedTokens.Split(raw, 0, raw.Length, allowSpecial, rawSegments);
        foreach (AddedTokenMatcher.Segment segment in rawSegments)
        {
            if (segment.Token is { } token)
            {
                ids.Add(token.Id);
                continue;
            }
            string piece = raw.Substring(segment.Start, segment.Length);
            string normalized = normalizeNfc ? NfcNormalizer.Normalize(piece) : piece;
            if (normalizedAddedTokens.IsEmpty)
            {
                PreTokenize(normalized, 0, ids);
                continue;
            }
            var inner = new List<AddedTokenMatcher.Segment>();
            normalizedAddedTokens.Split(normalized, 0, normalized.Length, allowSpecial, inner);
            foreach (AddedTokenMatcher.Segment part in inner)
            {
                if (part.Token is { } innerToken)
                {
                    ids.Add(innerToken.Id);
                }
                else
                {
                    PreTokenize(normalized.AsSpan(part.Start, part.Length), 0, ids);
                }
            }
        }
    }

    /// <summary>Text of <paramref name="ids"/>; with <paramref name="skipSpecial"/> special tokens are left out.</summary>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecial = false)
    {
        var bytes = new List<byte>(ids.Length * 4);
        foreach (int id in ids)
        {
            foreach (byte b in BytesOf(id, skipSpecial))
            {
                bytes.Add(b);
            }
        }
        return Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes));
    }

    /// <summary>A decoder for ids that arrive one at a time (generation output); see <see cref="StreamingDecoder"/>.</summary>
    public StreamingDecoder CreateStreamingDecoder(bool skipSpecial = false) => new(this, skipSpecial);

    /// <summary>The bytes an id decodes to (empty for unknown ids, and for special ids when skipping them).</summary>
    internal ReadOnlySpan<byte> BytesOf(int id, bool skipSpecial)
    {
        if ((uint)id >= (uint)tokenById.Length || (skipSpecial && isSpecialById[id]))
        {
            return [];
        }
        return decodedBytes.AsSpan(decodedOffsets[id], decodedOffsets[id + 1] - decodedOffsets[id]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PreTokenize(ReadOnlySpan<char> piece, int depth, List<int> ids)
    {
        if (piece.IsEmpty)
        {
            return;
        }
        if (depth == steps.Count)
        {
            merger.Encode(piece, ids);
            return;
        }
        PreTokenizerStep step = steps[depth];
        if (step.PrependSpace && piece[0] != ' ')
        {
            string withSpace = string.Concat(" ", piece);
            PreTokenize(withSpace, depth, ids);
            return;
        }
        if (step.Split is null)
        {
            PreTokenize(piece, depth + 1, ids);
            return;
        }
        List<(int Start, int Length)>[] lists = piecesByDepth ??= new List<(int Start, int Length)>[8];
        if (lists.Length <= depth)
        {
            Array.Resize(ref lists, depth + 8);
            piecesByDepth = lists;
        }
        List<(int Start, int Length)> pieces = lists[depth] ??= [];
        int first = pieces.Count;
        step.Split.SplitIsolated(piece, pieces);
        int last = pieces.Count;
        for (int p = first; p < last; p++)
        {
            (int start, int length) = pieces[p];
            PreTokenize(piece.Slice(start, length), depth + 1, ids);
        }
        pieces.RemoveRange(first, last - first);
    }

    private static string ReplaceLoneSurrogates(string text)
    {
        int firstSurrogate = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (firstSurrogate < 0)
        {
            return text;
        }
        char[]? copy = null;
        for (int i = firstSurrogate; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                copy ??= text.ToCharArray();
                copy[i] = '\uFFFD';
            }
        }
        return copy is null ? text : new string(copy);
    }

    private static (byte[] Bytes, int[] Offsets) BuildDecodedBytes(string?[] tokenById)
    {
        var offsets = new int[tokenById.Length + 1];
        var bytes = new List<byte>(tokenById.Length * 6);
        for (int id = 0; id < tokenById.Length; id++)
        {
            offsets[id] = bytes.Count;
            string? token = tokenById[id];
            if (token is null)
            {
                continue;
            }
            bool inAlphabet = true;
            foreach (char c in token)
            {
                if (ByteLevelAlphabet.CharToByte(c) < 0)
                {
                    inAlphabet = false;
                    break;
                }
            }
            if (inAlphabet)
            {
                foreach (char c in token)
                {
                    bytes.Add((byte)ByteLevelAlphabet.CharToByte(c));
                }
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(token));
            }
        }
        offsets[tokenById.Length] = bytes.Count;
        return (bytes.ToArray(), offsets);
    }
}

/// <summary>
/// One pre-tokenizer step: optionally prefix a space to each piece not starting with one (ByteLevel
/// <c>add_prefix_space</c>), then optionally cut each piece with a split regex (Isolated behaviour).
/// </summary>
internal sealed record PreTokenizerStep(bool PrependSpace, SplitRegex? Split);
