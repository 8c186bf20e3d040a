// One entry of tokenizer.json "added_tokens": a string matched whole in the text before BPE runs.
// Plain data; matching lives in AddedTokenMatcher.
namespace Alloy.Inference.Tokenization;

/// <summary>
/// A token matched as a whole string before normalization and pre-tokenization (for example <c>&lt;|im_end|&gt;</c>
/// or <c>&lt;think&gt;</c>), with the Hugging Face flags that say how.
/// </summary>
/// <param name="Id">Token id.</param>
/// <param name="Content">The exact text that stands for the token.</param>
/// <param name="Special">A control token: matched in text only when special tokens are allowed, and dropped by
/// decoding with <c>skipSpecial</c>.</param>
/// <param name="SingleWord">Matched only when neither neighbour character is a letter or digit.</param>
/// <param name="LeftStrip">Whitespace before a match is absorbed into the token.</param>
/// <param name="RightStrip">Whitespace after a match is absorbed into the token.</param>
/// <param name="Normalized">Matched in the normalized text rather than in the raw text.</param>
public sealed record AddedToken(int Id, string Content, bool Special, bool SingleWord, bool LeftStrip, bool RightStrip, bool Normalized);
