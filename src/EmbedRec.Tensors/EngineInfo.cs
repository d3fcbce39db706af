using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using EmbedRec.Tensors.Kernels;

namespace EmbedRec.Tensors;

/// <summary>What the engine runs on: BLAS backend, SIMD support and threads.</summary>
/// <param name="BlasBackend">"openblas", "managed", or "auto" when the calibration splits shapes between them.</param>
/// <param name="BlasDescription">Backend details (version, kernel, threads).</param>
/// <param name="BlasThreads">Threads the GEMM backend uses.</param>
/// <param name="NativeUnavailableReason">Why native BLAS is not in use, or null.</param>
/// <param name="ManagedKernel">The managed GEMM micro-kernel.</param>
/// <param name="SimdBits">Width of the widest accelerated vector (128, 256 or 512 bits).</param>
/// <param name="InstructionSets">Accelerated x86 instruction sets (AVX2, FMA, AVX-512F) or the platform's.</param>
/// <param name="Threads">Threads used by parallel kernels.</param>
/// <param name="ProcessorCount">Logical processors.</param>
/// <param name="BlasChoice">How the BLAS backend was chosen: mode, CPU, OpenBLAS core type, calibration, cache file.</param>
public sealed record EngineInfo(
    string BlasBackend, string BlasDescription, int BlasThreads, string? NativeUnavailableReason, string ManagedKernel,
    int SimdBits, IReadOnlyList<string> InstructionSets, int Threads, int ProcessorCount, BlasChoice BlasChoice)
{
    /// <summary>Reads the current configuration (loads the BLAS backend if not yet loaded).</summary>
    public static EngineInfo Current()
    {
        var blas = Blas.Current;
        int bits = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;
        var sets = new List<string>();
        if (Avx2.IsSupported) sets.Add("AVX2");
        if (Fma.IsSupported) sets.Add("FMA");
        if (Avx512F.IsSupported) sets.Add("AVX-512F");
        if (System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) sets.Add("AdvSIMD");
        return new EngineInfo(blas.Name, blas.Description, blas.Threads, Blas.NativeUnavailableReason, Blas.Managed.Kernel,
            bits, sets, Blas.ThreadCount, Environment.ProcessorCount, Blas.Choice);
    }
}
