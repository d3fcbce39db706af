using System.Runtime.CompilerServices;
using EmbedRec.Tensors.Kernels;

namespace EmbedRec.Tests;

/// <summary>
/// Nothing is timed inside <c>dotnet test</c>: under <c>EMBEDREC_BLAS=auto</c> (the default) these tests give
/// <c>auto</c> a fixed calibration that runs every shape on OpenBLAS when it loads (as <c>auto</c> did before
/// calibration existed) instead of measuring one.
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
