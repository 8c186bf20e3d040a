// Shared by the macro benchmarks: the I/O floors they measure against (cat to /dev/null, a plain
// sequential write with fsync).
using System.Diagnostics;

namespace Alloy.Bench;

internal static class BenchFloors
{
    /// <summary>Seconds for `cat FILES > /dev/null` (process start included, a few ms).</summary>
    public static double Cat(IEnumerable<string> paths)
    {
        var info = new ProcessStartInfo("/bin/sh", ["-c", "cat " + string.Join(' ', paths.Select(p => $"'{p}'")) + " > /dev/null"]) { UseShellExecute = false };
        var sw = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        process.WaitForExit();
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>Writes <paramref name="bytes"/> bytes of <paramref name="chunk"/> repeated, sequentially, then fsyncs.</summary>
    public static void WritePlain(string path, long bytes, byte[] chunk)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
        for (long left = bytes; left > 0;)
        {
            var n = (int)Math.Min(left, chunk.Length);
            stream.Write(chunk, 0, n);
            left -= n;
        }
        stream.Flush(flushToDisk: true);
    }
}
