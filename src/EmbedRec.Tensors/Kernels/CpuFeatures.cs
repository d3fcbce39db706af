using System.Runtime.Intrinsics.X86;
using X86 = System.Runtime.Intrinsics.X86;
using System.Text;

namespace EmbedRec.Tensors.Kernels;

/// <summary>The x86 instruction sets that decide which OpenBLAS kernel can run, and the CPU's model string.</summary>
/// <param name="Avx">AVX.</param>
/// <param name="Avx2">AVX2.</param>
/// <param name="Fma">FMA3.</param>
/// <param name="Avx512F">AVX-512 Foundation.</param>
/// <param name="Avx512BW">AVX-512 byte and word.</param>
/// <param name="Avx512VL">AVX-512 vector length extensions.</param>
/// <param name="Avx512DQ">AVX-512 doubleword and quadword.</param>
public readonly record struct CpuFeatures(bool Avx, bool Avx2, bool Fma, bool Avx512F, bool Avx512BW, bool Avx512VL, bool Avx512DQ)
{
    /// <summary>What this process may use (the CPU's flags as the OS and the .NET runtime enable them).</summary>
    public static CpuFeatures Current() => new(
        X86.Avx.IsSupported, X86.Avx2.IsSupported, X86.Fma.IsSupported,
        X86.Avx512F.IsSupported, X86.Avx512BW.IsSupported, X86.Avx512F.VL.IsSupported, X86.Avx512DQ.IsSupported);

    /// <summary>The supported sets as names, e.g. "AVX2, FMA, AVX-512F".</summary>
    public override string ToString()
    {
        var names = new List<string>();
        if (Avx) names.Add("AVX");
        if (Avx2) names.Add("AVX2");
        if (Fma) names.Add("FMA");
        if (Avx512F) names.Add("AVX-512F");
        if (Avx512BW) names.Add("AVX-512BW");
        if (Avx512VL) names.Add("AVX-512VL");
        if (Avx512DQ) names.Add("AVX-512DQ");
        return names.Count == 0 ? "none of AVX/AVX2/FMA/AVX-512" : string.Join(", ", names);
    }

    /// <summary>
    /// The processor's brand string from CPUID leaves 0x80000002–4 on x86 (e.g. "Intel(R) Xeon(R) ..."), else
    /// the "model name" line of /proc/cpuinfo, else the architecture and processor count.
    /// </summary>
    public static string ModelName()
    {
        if (X86Base.IsSupported && (uint)X86Base.CpuId(unchecked((int)0x80000000), 0).Eax >= 0x80000004)
        {
            var bytes = new byte[48];
            for (int leaf = 0; leaf < 3; leaf++)
            {
                var (a, b, c, d) = X86Base.CpuId(unchecked((int)0x80000002) + leaf, 0);
                BitConverter.TryWriteBytes(bytes.AsSpan(leaf * 16), a);
                BitConverter.TryWriteBytes(bytes.AsSpan(leaf * 16 + 4), b);
                BitConverter.TryWriteBytes(bytes.AsSpan(leaf * 16 + 8), c);
                BitConverter.TryWriteBytes(bytes.AsSpan(leaf * 16 + 12), d);
            }
            var s = Encoding.ASCII.GetString(bytes).TrimEnd('\0').Trim();
            if (s.Length > 0) return s;
        }
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int colon and > 0)
                        return line[(colon + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return $"{System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} processors";
    }
}
