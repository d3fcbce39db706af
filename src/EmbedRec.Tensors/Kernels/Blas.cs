namespace EmbedRec.Tensors.Kernels;

/// <summary>
/// Chooses the GEMM backend once per process from <c>EMBEDREC_BLAS</c>: <c>auto</c> (default), <c>native</c>
/// (OpenBLAS; fail when it is absent) or <c>managed</c>. <c>auto</c> uses the managed GEMM when OpenBLAS is absent;
/// otherwise it follows a per-shape-class calibration (<see cref="BlasCalibration"/>), read from the cache
/// (<see cref="BlasCalibrationCache"/>) or measured once (about a second) and written there. Before OpenBLAS loads,
/// <c>OPENBLAS_CORETYPE</c> is set from the CPU's instruction sets unless the user set it
/// (<see cref="OpenBlasCoreType"/>). The thread count comes from <c>EMBEDREC_THREADS</c>, default the processor count.
/// </summary>
public static class Blas
{
    private static readonly Lazy<(IBlas Blas, BlasChoice Choice)> s_current = new(Select);
    private static readonly Lazy<ManagedBlas> s_managed = new(() => new ManagedBlas(ThreadCount));
    private static BlasCalibration? s_injected;

    /// <summary>The backend in use.</summary>
    public static IBlas Current => s_current.Value.Blas;

    /// <summary>How <see cref="Current"/> was chosen.</summary>
    public static BlasChoice Choice => s_current.Value.Choice;

    /// <summary>The managed backend (always available).</summary>
    public static ManagedBlas Managed => s_managed.Value;

    /// <summary>A one-thread managed backend for GEMMs issued from inside parallel loops.</summary>
    public static ManagedBlas SingleThreaded { get; } = new(1);

    /// <summary>Threads used by GEMM and the parallel kernels.</summary>
    public static int ThreadCount { get; } = ReadThreads();

    /// <summary>Why the native backend is not in use, or null when it is (for all or some shapes).</summary>
    public static string? NativeUnavailableReason { get; private set; }

    /// <summary>The OpenBLAS core type and who chose it (resolved, and applied, when OpenBLAS is first loaded).</summary>
    public static CoreTypeChoice CoreType => s_native.Value.CoreType;

    /// <summary>Loads the native backend regardless of <c>EMBEDREC_BLAS</c> (for tests and benchmarks), core type set first.</summary>
    public static NativeOpenBlas? TryNative() => s_native.Value.Blas;

    /// <summary>
    /// Makes <c>auto</c> follow <paramref name="calibration"/> instead of the cache or a measurement (tests use this so
    /// that nothing is timed inside <c>dotnet test</c>). Call before the first GEMM.
    /// </summary>
    public static void UseCalibration(BlasCalibration calibration)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        if (s_current.IsValueCreated)
            throw new InvalidOperationException($"Blas.UseCalibration: the backend was already chosen ({s_current.Value.Blas.Name}); call it before the first GEMM.");
        s_injected = calibration;
    }

    private static readonly Lazy<(NativeOpenBlas? Blas, CoreTypeChoice CoreType)> s_native = new(() =>
    {
        var coreType = OpenBlasCoreType.ApplyBeforeLoad(CpuFeatures.Current());
        var n = NativeOpenBlas.TryLoad(ThreadCount, out var why);
        NativeUnavailableReason = why;
        return (n, coreType);
    });

    private static int ReadThreads()
    {
        var s = Environment.GetEnvironmentVariable("EMBEDREC_THREADS");
        if (string.IsNullOrWhiteSpace(s)) return Environment.ProcessorCount;
        if (int.TryParse(s, out int t) && t > 0) return t;
        throw new InvalidOperationException($"EMBEDREC_THREADS='{s}' is not a positive integer.");
    }

    private static (IBlas, BlasChoice) Select()
    {
        var mode = (Environment.GetEnvironmentVariable("EMBEDREC_BLAS") ?? "auto").Trim().ToLowerInvariant();
        string cpu = CpuFeatures.ModelName();
        var features = CpuFeatures.Current();
        switch (mode)
        {
            case "" or "auto":
                return Auto(cpu, features);
            case "managed":
                NativeUnavailableReason = "EMBEDREC_BLAS=managed";
                return (Managed, new BlasChoice("managed", "managed for every shape", cpu, features, null, null, null, null));
            case "native":
                var native = TryNative() ?? throw new InvalidOperationException($"EMBEDREC_BLAS=native but {NativeUnavailableReason}.");
                return (native, new BlasChoice("native", "OpenBLAS for every shape", cpu, features, CoreType, null, null, null));
            default:
                throw new InvalidOperationException($"EMBEDREC_BLAS='{mode}' is not one of auto, native, managed.");
        }
    }

    private static (IBlas, BlasChoice) Auto(string cpu, CpuFeatures features)
    {
        var native = TryNative();
        if (native is null)
            return (Managed, new BlasChoice("auto", $"managed for every shape: {NativeUnavailableReason}", cpu, features, CoreType, null, null, null));
        BlasCalibration calibration;
        string? path = null;
        string status;
        if (s_injected is { } injected)
        {
            calibration = injected;
            status = "given by the application (Blas.UseCalibration); nothing timed";
        }
        else
        {
            var key = BlasCalibrationKey.For(native, ThreadCount);
            path = BlasCalibrationCache.PathFor(key);
            var cached = BlasCalibrationCache.TryLoad(path, key, out var loadStatus);
            if (cached is { Busy: true } && BlasCalibrator.LoadPerProcessor() is double now && now <= BlasCalibration.BusyLoad)
            {
                loadStatus = $"the cached calibration was made on a busy machine ({cached.LoadPerProcessor:F2} other runnable threads per processor then, {now:F2} now)";
                cached = null;
            }
            if (cached is not null)
            {
                calibration = cached;
                status = loadStatus;
            }
            else
            {
                calibration = BlasCalibrator.Run(Managed, native, key);
                var error = BlasCalibrationCache.TrySave(path, calibration);
                status = $"{loadStatus}; measured now ({calibration.Seconds:F2} s"
                    + (calibration.Busy ? $", busy machine: {calibration.LoadPerProcessor:F2} other runnable threads per processor, to be measured again when quieter" : "")
                    + ") and " + (error is null ? "written to the cache" : $"not written ({error})");
            }
        }
        var blas = AutoBlas.For(calibration, Managed, native);
        string summary = blas switch
        {
            ManagedBlas => calibration.NativeCorrect
                ? "managed for every shape: it is as fast as OpenBLAS or faster on every calibrated shape class"
                : "managed for every shape: OpenBLAS failed the correctness check",
            NativeOpenBlas => "OpenBLAS for every shape: it is faster on every calibrated shape class",
            _ => "per shape class, whichever backend was faster in the calibration",
        };
        if (blas is ManagedBlas) NativeUnavailableReason = summary;
        return (blas, new BlasChoice("auto", summary, cpu, features, CoreType, calibration, path, status));
    }
}
