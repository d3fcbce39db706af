using System.Runtime.InteropServices;

namespace EmbedRec.Tensors.Kernels;

/// <summary>
/// The system OpenBLAS, loaded at run time with <see cref="NativeLibrary"/> and called through
/// function pointers (<c>cblas_sgemm</c>). Nothing is linked at build time: when the library is
/// absent, <see cref="TryLoad"/> returns null and EmbedRec uses <see cref="ManagedBlas"/>.
/// </summary>
public sealed unsafe class NativeOpenBlas : IBlas
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    /// <summary>Library names tried in order.</summary>
    public static readonly string[] Candidates =
    [
        "libopenblas.so.0", "libopenblas.so", "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0", "libopenblas.dylib", "libopenblas.dll",
    ];

    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    private readonly delegate* unmanaged<int> _getThreads;

    private NativeOpenBlas(nint handle, string path, int threads)
    {
        Path = path;
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)
            NativeLibrary.GetExport(handle, "cblas_sgemm");
        if (NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out var set))
            ((delegate* unmanaged<int, void>)set)(threads);
        if (NativeLibrary.TryGetExport(handle, "openblas_get_num_threads", out var get))
            _getThreads = (delegate* unmanaged<int>)get;
        Config = ReadString(handle, "openblas_get_config");
        CoreName = ReadString(handle, "openblas_get_corename");
        RequestedThreads = threads;
    }

    /// <summary>The file that was loaded.</summary>
    public string Path { get; }

    /// <summary>OpenBLAS's own configuration string, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ...".</summary>
    public string Config { get; }

    /// <summary>The CPU kernel OpenBLAS chose (e.g. Haswell, SkylakeX).</summary>
    public string CoreName { get; }

    private int RequestedThreads { get; }

    /// <inheritdoc />
    public string Name => "openblas";

    /// <inheritdoc />
    public int Threads => _getThreads != null ? _getThreads() : RequestedThreads;

    /// <summary>The version parsed from <see cref="Config"/>.</summary>
    public string Version
    {
        get
        {
            var parts = Config.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length > 1 && parts[0] == "OpenBLAS" ? parts[1] : "unknown";
        }
    }

    /// <inheritdoc />
    public string Description => $"OpenBLAS {Version} (native, {Path}), kernel {CoreName}, {Threads} threads";

    private static string ReadString(nint handle, string export)
    {
        if (!NativeLibrary.TryGetExport(handle, export, out var fn)) return "";
        var p = ((delegate* unmanaged<byte*>)fn)();
        return p == null ? "" : (Marshal.PtrToStringUTF8((nint)p) ?? "").Trim();
    }

    /// <summary>Loads the system OpenBLAS, or returns null (with the reason) when it is not there.</summary>
    public static NativeOpenBlas? TryLoad(int threads, out string? failure)
    {
        foreach (var name in Candidates)
        {
            if (!NativeLibrary.TryLoad(name, typeof(NativeOpenBlas).Assembly, null, out var handle)) continue;
            if (!NativeLibrary.TryGetExport(handle, "cblas_sgemm", out _))
            {
                NativeLibrary.Free(handle);
                continue;
            }
            failure = null;
            return new NativeOpenBlas(handle, name, threads);
        }
        failure = $"no OpenBLAS found (tried {string.Join(", ", Candidates)}); install it with 'apt-get install libopenblas0-pthread'";
        return null;
    }

    /// <inheritdoc />
    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        GemmArgs.Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0) { GemmArgs.ScaleC(m, n, beta, c, ldc); return; }
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k,
                alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }
}
