namespace EmbedRec.Tensors.Kernels;

/// <summary>How the GEMM backend was chosen, for <c>embedrec info</c> and run records.</summary>
/// <param name="Mode">The <c>EMBEDREC_BLAS</c> mode: "auto", "native" or "managed".</param>
/// <param name="Summary">One line: the backend chosen and why.</param>
/// <param name="CpuModel">The CPU's model string.</param>
/// <param name="CpuFeatures">The instruction sets the OpenBLAS core type was chosen from.</param>
/// <param name="CoreType">The OpenBLAS core type and who chose it, or null when OpenBLAS was not loaded.</param>
/// <param name="Calibration">The calibration <c>auto</c> follows, or null when none was needed.</param>
/// <param name="CachePath">The calibration cache file, or null when none is used.</param>
/// <param name="CacheStatus">Where the calibration came from (cache, measured now, injected) and whether it was written.</param>
public sealed record BlasChoice(string Mode, string Summary, string CpuModel, CpuFeatures CpuFeatures, CoreTypeChoice? CoreType,
    BlasCalibration? Calibration, string? CachePath, string? CacheStatus);
