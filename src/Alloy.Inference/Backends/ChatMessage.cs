// One message of an OpenAI-style chat conversation (role + text content).
// It carries no tool calls or images: the evaluation harness sends plain text turns only.
namespace Alloy.Inference.Backends;

/// <summary>One chat turn: a role (<c>system</c>, <c>user</c> or <c>assistant</c>) and its text.</summary>
/// <param name="Role">The OpenAI role name, sent as is.</param>
/// <param name="Content">The message text, sent as is (no trimming, no template applied by this layer).</param>
public sealed record ChatMessage(string Role, string Content);
