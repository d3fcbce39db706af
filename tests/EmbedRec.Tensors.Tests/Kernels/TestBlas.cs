using System.Runtime.CompilerServices;
using EmbedRec.Tensors.Kernels;

namespace EmbedRec.Tensors.Tests.Kernels;

/// <summary>
/// Nothing is timed inside <c>dotnet test</c>: under <c>EMBEDREC_BLAS=auto</c> (the default) the engine tests give
/// <c>auto</c> a fixed calibration that runs every shape on OpenBLAS when it loads, which is what <c>auto</c> did
/// before calibration existed, so the first CI pass keeps testing the native path and the second
/// (<c>EMBEDREC_BLAS=managed</c>) the managed one. Tests that want a measured calibration call the calibrator.
/// </summary>
internal static class TestBlas
{
#pragma warning disable CA2255 // a test assembly is application code: this must run before any test touches Blas.Current
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void UseFixedCalibration()
    {
        var mode = (Environment.GetEnvironmentVariable("EMBEDREC_BLAS") ?? "").Trim().ToLowerInvariant();
        if (mode is not ("" or "auto") || Blas.TryNative() is not { } native) return;
        Blas.UseCalibration(BlasCalibration.Uniform(BlasCalibrationKey.For(native, Blas.ThreadCount), "openblas"));
    }
}
