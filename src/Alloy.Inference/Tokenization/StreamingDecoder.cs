// Incremental detokenizer for generated ids: text comes out as soon as it is whole UTF-8.
// It holds no model state and does not decide where generation stops.
using System.Text;

namespace Alloy.Inference.Tokenization;

/// <summary>
/// Turns token ids into text one id at a time, for streaming generation output. Bytes of a character split across
/// tokens (a CJK character or emoji is often 2–4 byte-level tokens) are held back until the character is complete,
/// so every returned piece is well-formed text (never half a surrogate pair, never a premature U+FFFD).
/// Concatenating every <see cref="Append"/> result and the final <see cref="Flush"/> gives exactly
/// <see cref="BpeTokenizer.Decode"/> of the same ids: invalid byte sequences become U+FFFD by the same
/// "maximal subpart" rule, unknown ids are skipped. Not thread-safe; make one per stream.
/// </summary>
public sealed class StreamingDecoder
{
    private readonly BpeTokenizer tokenizer;
    private readonly bool skipSpecial;
    private readonly Decoder utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
    private char[] chars = new char[64];

    internal StreamingDecoder(BpeTokenizer tokenizer, bool skipSpecial)
    {
        this.tokenizer = tokenizer;
        this.skipSpecial = skipSpecial;
    }

    /// <summary>
    /// Adds one id and returns the text that became complete (often empty while a multi-byte character is
    /// pending). Special ids give nothing when the decoder was made with <c>skipSpecial</c>.
    /// </summary>
    public string Append(int id)
    {
        ReadOnlySpan<byte> bytes = tokenizer.BytesOf(id, skipSpecial);
        return bytes.IsEmpty ? string.Empty : Convert(bytes, flush: false);
    }

    /// <summary>Ends the stream: returns any held-back bytes (an incomplete character becomes U+FFFD) and resets.</summary>
    public string Flush() => Convert([], flush: true);

    private string Convert(ReadOnlySpan<byte> bytes, bool flush)
    {
        int needed = utf8.GetCharCount(bytes, flush: false) + 4;
        if (chars.Length < needed)
        {
            chars = new char[Math.Max(needed, chars.Length * 2)];
        }
        int count = utf8.GetChars(bytes, chars, flush);
        return new string(chars, 0, count);
    }
}
