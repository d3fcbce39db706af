using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmbedRec.Tensors.Kernels;

/// <summary>What a calibration is valid for: a different CPU, OpenBLAS, kernel, thread count or EmbedRec build calibrates again.</summary>
/// <param name="CpuModel">The CPU's model string (<see cref="CpuFeatures.ModelName"/>).</param>
/// <param name="OpenBlasVersion">OpenBLAS's version, e.g. "0.3.21".</param>
/// <param name="CoreType">The kernel OpenBLAS reports after loading, e.g. "SkylakeX".</param>
/// <param name="Threads">GEMM threads.</param>
/// <param name="EmbedRecVersion">EmbedRec.Tensors' version and the managed kernel's revision (<see cref="ManagedBlas.Revision"/>), so that
/// a faster managed GEMM is measured again even within one version.</param>
/// <param name="Runtime">The .NET runtime version (its JIT compiles the managed kernel).</param>
public sealed record BlasCalibrationKey(string CpuModel, [property: JsonPropertyName("openblas_version")] string OpenBlasVersion, string CoreType, int Threads,
    [property: JsonPropertyName("embedrec_version")] string EmbedRecVersion, string Runtime)
{
    /// <summary>The key for this process with the given OpenBLAS.</summary>
    public static BlasCalibrationKey For(NativeOpenBlas native, int threads) => new(
        CpuFeatures.ModelName(), native.Version, native.CoreName, threads, $"{EngineVersion} gemm-r{ManagedBlas.Revision}", Environment.Version.ToString());

    /// <summary>EmbedRec.Tensors' informational version without the source revision, e.g. "0.1.0".</summary>
    public static string EngineVersion { get; } =
        (typeof(BlasCalibrationKey).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    /// <summary>A file name unique to the key: <c>blas-</c> and 12 hex digits of its SHA-256.</summary>
    public string FileName()
    {
        var text = string.Join('\n', CpuModel, OpenBlasVersion, CoreType, Threads.ToString(System.Globalization.CultureInfo.InvariantCulture), EmbedRecVersion, Runtime);
        return $"blas-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12]}.json";
    }
}

/// <summary>One shape class's calibration: both backends timed on the class's representative shape.</summary>
/// <param name="ShapeClass">The class (<see cref="GemmShapeClass.Of"/>).</param>
/// <param name="M">Rows of C in the timed shape.</param>
/// <param name="N">Columns of C.</param>
/// <param name="K">The inner dimension.</param>
/// <param name="ManagedGflops">The managed GEMM's speed (best of the timed runs).</param>
/// <param name="NativeGflops">OpenBLAS's speed.</param>
/// <param name="NativeError">‖C_native − C_managed‖ / ‖C_managed‖ (Frobenius) on the timed shape.</param>
/// <param name="Backend">The backend that runs this class: "managed" or "openblas".</param>
public sealed record ShapeClassResult(string ShapeClass, int M, int N, int K, double ManagedGflops, double NativeGflops, double NativeError, string Backend);

/// <summary>
/// The outcome of timing the managed GEMM against OpenBLAS per shape class, and the choice it implies. Once made
/// (or read from the cache) it is fixed, so the same shape always runs on the same backend and results are
/// bit-reproducible.
/// </summary>
/// <param name="Key">What the calibration is valid for.</param>
/// <param name="Classes">One result per class of <see cref="GemmShapeClass.Representatives"/>.</param>
/// <param name="NativeCorrect">Whether OpenBLAS passed the correctness check (all shapes and transposes); if not, every class is managed.</param>
/// <param name="Seconds">How long the calibration took.</param>
/// <param name="Created">When it was made.</param>
public sealed record BlasCalibration(BlasCalibrationKey Key, IReadOnlyList<ShapeClassResult> Classes, bool NativeCorrect, double Seconds, DateTimeOffset Created)
{
    /// <summary>OpenBLAS must be this much faster than the managed GEMM to take a class (1.05: 5 % faster), so near-ties stay managed.</summary>
    public const double NativeMargin = 1.05;

    /// <summary>
    /// A calibration made while more than this many other threads per processor were runnable was made on a busy
    /// machine (on 2 processors, one other busy process is 0.5): it is used, and cached, but the first process that
    /// finds the machine quieter measures again and replaces it. The calibration times GEMMs on every processor, so
    /// any steady competitor skews it.
    /// </summary>
    public const double BusyLoad = 0.25;

    /// <summary>
    /// Other threads runnable per logical processor when the calibration started (sampled over 0.1 s,
    /// <c>BlasCalibrator.LoadPerProcessor</c>), where known. Calibrations cached by builds before c9087e2 hold the
    /// 1-minute load average per processor here, judged by the same threshold: one made at a load average between 0.25
    /// and 0.75 per processor, not busy then, is measured again once by the first process that finds the machine quiet.
    /// </summary>
    public double? LoadPerProcessor { get; init; }

    /// <summary>Whether the calibration was made on a busy machine (<see cref="BusyLoad"/>).</summary>
    [JsonIgnore]
    public bool Busy => LoadPerProcessor > BusyLoad;

    /// <summary>The largest relative Frobenius error OpenBLAS may show against the managed result.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>The backend for one class from its measurements: "openblas" when correct and at least <see cref="NativeMargin"/> times faster.</summary>
    public static string Decide(double managedGflops, double nativeGflops, bool nativeCorrect) =>
        nativeCorrect && nativeGflops >= NativeMargin * managedGflops ? "openblas" : "managed";

    /// <summary>The backend that runs op(A)[m, k] · op(B)[k, n]: its class's choice, or managed for a class the calibration lacks.</summary>
    public string BackendFor(int m, int n, int k)
    {
        var cls = GemmShapeClass.Of(m, n, k);
        foreach (var r in Classes)
            if (r.ShapeClass == cls) return r.Backend;
        return "managed";
    }

    /// <summary>Whether every class runs on <paramref name="backend"/>.</summary>
    public bool All(string backend) => Classes.All(c => c.Backend == backend);

    /// <summary>A calibration that sends every class to <paramref name="backend"/> without timing anything (for tests and pinned setups).</summary>
    public static BlasCalibration Uniform(BlasCalibrationKey key, string backend)
    {
        if (backend is not ("managed" or "openblas")) throw new ArgumentException($"backend '{backend}' is not 'managed' or 'openblas'.", nameof(backend));
        return new(key, GemmShapeClass.Representatives.Select(r => new ShapeClassResult(r.Class, r.M, r.N, r.K, 0, 0, 0, backend)).ToList(),
            backend == "openblas", 0, DateTimeOffset.UnixEpoch);
    }

    private static readonly JsonSerializerOptions s_json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The calibration as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    /// <summary>Reads <see cref="ToJson"/>'s output; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static BlasCalibration FromJson(string json)
    {
        BlasCalibration? c;
        try { c = JsonSerializer.Deserialize<BlasCalibration>(json, s_json); }
        catch (JsonException e) { throw new FormatException($"not a BLAS calibration: {e.Message}", e); }
        if (c is null || c.Key is null || c.Classes is null) throw new FormatException("not a BLAS calibration: key or classes missing.");
        foreach (var (cls, _, _, _) in GemmShapeClass.Representatives)
        {
            var r = c.Classes.FirstOrDefault(x => x?.ShapeClass == cls)
                ?? throw new FormatException($"BLAS calibration has no result for shape class '{cls}'.");
            if (r.Backend is not ("managed" or "openblas"))
                throw new FormatException($"BLAS calibration gives backend '{r.Backend}' for '{cls}'; expected 'managed' or 'openblas'.");
        }
        return c;
    }
}
