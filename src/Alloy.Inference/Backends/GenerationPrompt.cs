// What a generator is asked to continue: either chat messages (rendered by the server's or engine's chat template)
// or a raw prompt string fed as is. It does not render templates itself.
namespace Alloy.Inference.Backends;

/// <summary>
/// The prompt of a generation request: exactly one of <see cref="Messages"/> (chat mode: the chat template applies,
/// with the generation prompt) or <see cref="RawText"/> (completion mode: the text is fed as is).
/// </summary>
public sealed record GenerationPrompt
{
    private GenerationPrompt(IReadOnlyList<ChatMessage>? messages, string? rawText)
    {
        Messages = messages;
        RawText = rawText;
    }

    /// <summary>The chat messages, or null in raw mode.</summary>
    public IReadOnlyList<ChatMessage>? Messages { get; }

    /// <summary>The raw prompt text, or null in chat mode.</summary>
    public string? RawText { get; }

    /// <summary>True when this prompt is a chat conversation (the chat template applies).</summary>
    public bool IsChat => Messages is not null;

    /// <summary>A chat prompt. Throws <see cref="ArgumentException"/> when the list is empty.</summary>
    public static GenerationPrompt Chat(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            throw new ArgumentException("A chat prompt needs at least one message.", nameof(messages));
        }
        return new GenerationPrompt(messages.ToArray(), null);
    }

    /// <summary>A single user turn as a chat prompt.</summary>
    public static GenerationPrompt User(string text) => Chat([new ChatMessage("user", text)]);

    /// <summary>A raw prompt fed as is (no chat template).</summary>
    public static GenerationPrompt Raw(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new GenerationPrompt(null, text);
    }
}
