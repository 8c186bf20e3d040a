// Where a value sits in a merge config file (file name, 1-based line and column), for error messages.
// It carries no text and opens no file.
namespace Alloy.Merging.Config;

/// <summary>A position in a config file: the name the file was given, and a 1-based line and column.</summary>
/// <param name="File">The file name or label the text was parsed under (as given to the parser).</param>
/// <param name="Line">1-based line number.</param>
/// <param name="Column">1-based column number.</param>
public readonly record struct SourcePosition(string File, int Line, int Column)
{
    /// <summary>Formats the position as <c>FILE:LINE:COL</c>, the prefix of every config error message.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}";
}
