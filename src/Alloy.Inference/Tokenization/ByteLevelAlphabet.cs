// The GPT-2 byte-level alphabet: each of the 256 byte values drawn as one printable Unicode character.
// It is the fixed table byte-level BPE vocabularies are written in; it knows nothing about any vocabulary.
namespace Alloy.Inference.Tokenization;

/// <summary>
/// The reversible byte ↔ character map of GPT-2 byte-level BPE (Hugging Face <c>bytes_to_unicode</c>).
/// Printable bytes <c>!</c>..<c>~</c>, <c>¡</c>..<c>¬</c> and <c>®</c>..<c>ÿ</c> map to the character with the
/// same code; the other 68 bytes map, in increasing byte order, to U+0100, U+0101, … (so a space is <c>Ġ</c>,
/// U+0120, and a newline is <c>Ċ</c>, U+010A).
/// </summary>
internal static class ByteLevelAlphabet
{
    /// <summary>Character for each byte value (256 entries).</summary>
    public static readonly char[] ByteToChar = BuildByteToChar();

    /// <summary>Byte value for each character code below 0x200, or -1 where the character is not in the alphabet.</summary>
    private static readonly short[] CharToByteTable = BuildCharToByte(ByteToChar);

    /// <summary>The byte a character stands for, or -1 when the character is not in the alphabet.</summary>
    public static int CharToByte(char c) => c < CharToByteTable.Length ? CharToByteTable[c] : -1;

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    private static short[] BuildCharToByte(char[] byteToChar)
    {
        var table = new short[0x200];
        Array.Fill(table, (short)-1);
        for (int b = 0; b < 256; b++)
        {
            table[byteToChar[b]] = (short)b;
        }
        return table;
    }
}
