using System.Runtime.InteropServices;

namespace EmbedRec.Tensors.Kernels;

/// <summary>Who decided which kernel OpenBLAS runs.</summary>
public enum CoreTypeSource
{
    /// <summary>The user set <c>OPENBLAS_CORETYPE</c>; EmbedRec left it alone.</summary>
    User,

    /// <summary>EmbedRec set <c>OPENBLAS_CORETYPE</c> from the CPU's instruction sets before loading OpenBLAS.</summary>
    EmbedRec,

    /// <summary>Nobody: OpenBLAS detects the CPU itself.</summary>
    OpenBlas,
}

/// <summary>The OpenBLAS core type in force and why.</summary>
/// <param name="CoreType">The value of <c>OPENBLAS_CORETYPE</c>, or null when OpenBLAS detects the CPU itself.</param>
/// <param name="Source">Who chose it.</param>
/// <param name="Reason">The evidence, e.g. "AVX-512F+BW+VL+DQ".</param>
public sealed record CoreTypeChoice(string? CoreType, CoreTypeSource Source, string Reason);

/// <summary>
/// Chooses OpenBLAS's kernel from the instruction sets rather than from OpenBLAS's own CPU-model table: Debian's
/// OpenBLAS 0.3.21 does not know newer CPUs and falls back to its Haswell (AVX2) kernel on AVX-512 machines.
/// OpenBLAS reads <c>OPENBLAS_CORETYPE</c> once, when the library loads, so it must be set in the native
/// environment (libc <c>setenv</c>; .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/> does
/// not reach it on Unix) before the first <c>dlopen</c>.
/// </summary>
public static unsafe class OpenBlasCoreType
{
    /// <summary>The environment variable OpenBLAS reads.</summary>
    public const string Variable = "OPENBLAS_CORETYPE";

    /// <summary>
    /// The kernel for these instruction sets: AVX-512F+BW+VL+DQ → SkylakeX, AVX2+FMA → Haswell, AVX → Sandybridge;
    /// otherwise none (OpenBLAS's own detection). These are OpenBLAS's DYNAMIC_ARCH names for the kernels that
    /// need exactly those sets (OpenBLAS <c>driver/others/dynamic.c</c>).
    /// </summary>
    public static CoreTypeChoice Choose(CpuFeatures f)
    {
        if (f.Avx512F && f.Avx512BW && f.Avx512VL && f.Avx512DQ)
            return new("SkylakeX", CoreTypeSource.EmbedRec, "AVX-512F+BW+VL+DQ");
        if (f.Avx2 && f.Fma) return new("Haswell", CoreTypeSource.EmbedRec, "AVX2+FMA, no full AVX-512");
        if (f.Avx) return new("Sandybridge", CoreTypeSource.EmbedRec, "AVX, no AVX2");
        return new(null, CoreTypeSource.OpenBlas, $"no AVX ({f}); OpenBLAS detects the CPU itself");
    }

    /// <summary>
    /// The choice given the user's <c>OPENBLAS_CORETYPE</c> (null or empty when unset): the user's value when set,
    /// else <see cref="Choose"/>.
    /// </summary>
    public static CoreTypeChoice Resolve(CpuFeatures features, string? userValue)
    {
        var choice = Choose(features);
        if (string.IsNullOrEmpty(userValue)) return choice;
        string own = choice.CoreType is { } c && !string.Equals(c, userValue, StringComparison.OrdinalIgnoreCase)
            ? $"; from the instruction sets EmbedRec would choose {c} ({choice.Reason})" : "";
        return new(userValue, CoreTypeSource.User, $"{Variable}={userValue} was set in the environment, so EmbedRec left it{own}");
    }

    /// <summary>
    /// Resolves the choice for this process (the user's value is looked up in .NET's and in the native environment)
    /// and writes an EmbedRec choice to the native environment. Call before OpenBLAS loads.
    /// </summary>
    internal static CoreTypeChoice ApplyBeforeLoad(CpuFeatures features)
    {
        var user = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(user)) user = NativeGetEnv(Variable);
        var choice = Resolve(features, user);
        if (choice.Source == CoreTypeSource.EmbedRec && !NativeSetEnv(Variable, choice.CoreType!))
            return new(null, CoreTypeSource.OpenBlas, $"wanted {choice.CoreType} ({choice.Reason}) but could not set {Variable} in the native environment");
        return choice;
    }

    private static nint Libc()
    {
        foreach (var name in new[] { "libc.so.6", "libc.so", "/usr/lib/libSystem.B.dylib" })
            if (NativeLibrary.TryLoad(name, out var h)) return h;
        return 0;
    }

    private static string? NativeGetEnv(string name)
    {
        if (OperatingSystem.IsWindows()) return null;
        nint libc = Libc();
        if (libc == 0 || !NativeLibrary.TryGetExport(libc, "getenv", out var fn)) return null;
        var p = StringArg(name);
        try { return Marshal.PtrToStringUTF8(((delegate* unmanaged<nint, nint>)fn)(p)); }
        finally { Marshal.FreeHGlobal(p); }
    }

    private static bool NativeSetEnv(string name, string value)
    {
        if (OperatingSystem.IsWindows())
        {
            Environment.SetEnvironmentVariable(name, value);
            return true;
        }
        nint libc = Libc();
        if (libc == 0 || !NativeLibrary.TryGetExport(libc, "setenv", out var fn)) return false;
        nint n = StringArg(name), v = StringArg(value);
        try { return ((delegate* unmanaged<nint, nint, int, int>)fn)(n, v, 0) == 0; }
        finally { Marshal.FreeHGlobal(n); Marshal.FreeHGlobal(v); }
    }

    private static nint StringArg(string s)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(s + "\0");
        var p = Marshal.AllocHGlobal(bytes.Length);
        Marshal.Copy(bytes, 0, p, bytes.Length);
        return p;
    }
}
