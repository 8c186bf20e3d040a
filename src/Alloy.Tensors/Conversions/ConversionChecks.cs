// Argument checks shared by the conversion kernels (span lengths, byte counts, host byte order).
// Mismatched lengths are programmer errors, so these throw ArgumentException, not AlloyInputException.
namespace Alloy.Tensors.Conversions;

internal static class ConversionChecks
{
    public static void RequireSameLength(int sourceLength, int destinationLength)
    {
        if (sourceLength != destinationLength)
            throw new ArgumentException(
                $"The destination holds {destinationLength} elements but the source holds {sourceLength}; they must be equal.",
                "destination");
    }

    // Raw little-endian bytes are reinterpreted in place, which is only right on a little-endian host.
    // paramName: the parameter that holds the bytes ("source" when reading, "destination" when writing).
    public static void RequireByteLength(int byteLength, int elementCount, int bytesPerElement, string paramName)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Alloy reads and writes little-endian tensor bytes and needs a little-endian host.");
        if (byteLength != (long)elementCount * bytesPerElement)
            throw new ArgumentException(
                $"The byte span holds {byteLength} bytes but {elementCount} elements of {bytesPerElement} bytes need {(long)elementCount * bytesPerElement}.",
                paramName);
    }
}
