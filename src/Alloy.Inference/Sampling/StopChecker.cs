// Decides when one sample ends: an end-of-sequence id, a stop string in the decoded text, or the token cap.
// It accumulates the sample's text (cutting a matched stop string off, as vLLM does); it does not sample or decode ids.
using System.Text;
using Alloy.Inference.Backends;

namespace Alloy.Inference.Sampling;

/// <summary>
/// The stop state of one sample. Feed each generated token with its decoded text piece to <see cref="Append"/>:
/// <list type="bullet">
/// <item>a token in the end set finishes the sample with <see cref="FinishReason.Stop"/>; its text is not added;</item>
/// <item>when a stop string occurs in the text (searched across piece boundaries), the text is cut at the start of
/// its earliest occurrence (the stop string and anything after it are dropped) and the reason is Stop;</item>
/// <item>otherwise the sample finishes with <see cref="FinishReason.Length"/> once it holds MaxTokens tokens.</item>
/// </list>
/// Every token fed counts in <see cref="TokenCount"/>, the end token and the token that completed a stop string
/// included (as vLLM's completion_tokens counts them). Not thread-safe.
/// </summary>
public sealed class StopChecker
{
    private readonly HashSet<int> _endIds;
    private readonly string[] _stops;
    private readonly int _longestStop;
    private readonly int _maxTokens;
    private readonly StringBuilder _text = new();
    private int _streamed;

    /// <summary>A checker for one sample.</summary>
    /// <param name="endIds">End-of-sequence ids (generation_config's eos_token_id and the tokenizer's eos).</param>
    /// <param name="stopStrings">Stop strings, each non-empty.</param>
    /// <param name="maxTokens">The cap on generated tokens, ≥ 1.</param>
    public StopChecker(IEnumerable<int> endIds, IReadOnlyList<string> stopStrings, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(endIds);
        ArgumentNullException.ThrowIfNull(stopStrings);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        _endIds = [.. endIds];
        _stops = [.. stopStrings];
        foreach (var stop in _stops)
            ArgumentException.ThrowIfNullOrEmpty(stop, nameof(stopStrings));
        _longestStop = _stops.Length == 0 ? 0 : _stops.Max(s => s.Length);
        _maxTokens = maxTokens;
    }

    /// <summary>Why the sample ended, or null while it goes on.</summary>
    public FinishReason? Finished { get; private set; }

    /// <summary>True when the sample ended on a stop string (its text was cut there).</summary>
    public bool StoppedOnString { get; private set; }

    /// <summary>Tokens fed so far.</summary>
    public int TokenCount { get; private set; }

    /// <summary>The sample's text so far (final once <see cref="Finished"/> is set).</summary>
    public string Text => _text.ToString();

    /// <summary>Feeds one generated token and its text piece; returns true when the sample has now finished.</summary>
    /// <exception cref="InvalidOperationException">The sample had already finished.</exception>
    public bool Append(int token, string piece)
    {
        if (Finished is not null)
            throw new InvalidOperationException("the sample has already finished");
        TokenCount++;
        if (_endIds.Contains(token))
        {
            Finished = FinishReason.Stop;
            return true;
        }
        var searchFrom = Math.Max(0, _text.Length - _longestStop + 1);
        _text.Append(piece);
        if (_stops.Length > 0 && piece.Length > 0)
        {
            var tail = _text.ToString(searchFrom, _text.Length - searchFrom);
            var earliest = -1;
            foreach (var stop in _stops)
            {
                var at = tail.IndexOf(stop, StringComparison.Ordinal);
                if (at >= 0 && (earliest < 0 || at < earliest))
                    earliest = at;
            }
            if (earliest >= 0)
            {
                _text.Length = searchFrom + earliest;
                Finished = FinishReason.Stop;
                StoppedOnString = true;
                return true;
            }
        }
        if (TokenCount >= _maxTokens)
            Finished = FinishReason.Length;
        return Finished is not null;
    }

    /// <summary>Ends the sample early as truncated (e.g. the context is full).</summary>
    public void Truncate() => Finished ??= FinishReason.Length;

    /// <summary>
    /// Text not yet handed out that can no longer become part of a stop string: everything once finished, else all
    /// but the last (longest stop − 1) characters. For streaming to a terminal.
    /// </summary>
    public string TakeStreamable()
    {
        var safe = Finished is not null ? _text.Length : Math.Max(_streamed, _text.Length - Math.Max(0, _longestStop - 1));
        safe = Math.Min(safe, _text.Length);
        if (safe <= _streamed)
            return string.Empty;
        var piece = _text.ToString(_streamed, safe - _streamed);
        _streamed = safe;
        return piece;
    }
}
