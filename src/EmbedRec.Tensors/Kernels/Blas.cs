namespace EmbedRec.Tensors.Kernels;

/// <summary>
/// Chooses the GEMM backend once per process from <c>EMBEDREC_BLAS</c>: <c>auto</c> (default;
/// native OpenBLAS when it loads, else managed), <c>native</c> (fail when OpenBLAS is absent) or
/// <c>managed</c>. The thread count comes from <c>EMBEDREC_THREADS</c>, default the processor count.
/// </summary>
public static class Blas
{
    private static readonly Lazy<IBlas> s_current = new(Select);
    private static readonly Lazy<ManagedBlas> s_managed = new(() => new ManagedBlas(ThreadCount));

    /// <summary>The backend in use.</summary>
    public static IBlas Current => s_current.Value;

    /// <summary>The managed backend (always available).</summary>
    public static ManagedBlas Managed => s_managed.Value;

    /// <summary>A one-thread managed backend for GEMMs issued from inside parallel loops.</summary>
    public static ManagedBlas SingleThreaded { get; } = new(1);

    /// <summary>Threads used by GEMM and the parallel kernels.</summary>
    public static int ThreadCount { get; } = ReadThreads();

    /// <summary>Why the native backend is not in use, or null when it is.</summary>
    public static string? NativeUnavailableReason { get; private set; }

    /// <summary>Loads the native backend regardless of <c>EMBEDREC_BLAS</c> (for tests and benchmarks).</summary>
    public static NativeOpenBlas? TryNative() => s_native.Value;

    private static readonly Lazy<NativeOpenBlas?> s_native = new(() =>
    {
        var n = NativeOpenBlas.TryLoad(ThreadCount, out var why);
        NativeUnavailableReason = why;
        return n;
    });

    private static int ReadThreads()
    {
        var s = Environment.GetEnvironmentVariable("EMBEDREC_THREADS");
        if (string.IsNullOrWhiteSpace(s)) return Environment.ProcessorCount;
        if (int.TryParse(s, out int t) && t > 0) return t;
        throw new InvalidOperationException($"EMBEDREC_THREADS='{s}' is not a positive integer.");
    }

    private static IBlas Select()
    {
        var choice = (Environment.GetEnvironmentVariable("EMBEDREC_BLAS") ?? "auto").Trim().ToLowerInvariant();
        switch (choice)
        {
            case "" or "auto":
                return (IBlas?)TryNative() ?? Managed;
            case "managed":
                NativeUnavailableReason = "EMBEDREC_BLAS=managed";
                return Managed;
            case "native":
                return TryNative() ?? throw new InvalidOperationException($"EMBEDREC_BLAS=native but {NativeUnavailableReason}.");
            default:
                throw new InvalidOperationException($"EMBEDREC_BLAS='{choice}' is not one of auto, native, managed.");
        }
    }
}
