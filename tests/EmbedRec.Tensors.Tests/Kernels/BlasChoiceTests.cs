using EmbedRec.Tensors.Kernels;
using Xunit;

namespace EmbedRec.Tensors.Tests.Kernels;

public class BlasChoiceTests
{
    private static readonly BlasCalibrationKey Key = new("Test CPU @ 1.00GHz", "0.3.21", "SkylakeX", 2, "0.1.0", "10.0.0");

    [Theory]
    [InlineData(true, true, true, true, true, true, true, "SkylakeX")]
    [InlineData(true, true, true, true, true, true, false, "Haswell")] // AVX-512 without DQ is not enough for SkylakeX's kernels
    [InlineData(true, true, true, true, false, true, true, "Haswell")]
    [InlineData(true, true, true, false, false, false, false, "Haswell")]
    [InlineData(true, true, false, false, false, false, false, "Sandybridge")] // AVX2 without FMA
    [InlineData(true, false, false, false, false, false, false, "Sandybridge")]
    [InlineData(false, false, false, false, false, false, false, null)]
    public void CoreTypeFollowsTheInstructionSets(bool avx, bool avx2, bool fma, bool f, bool bw, bool vl, bool dq, string? expected)
    {
        var choice = OpenBlasCoreType.Choose(new CpuFeatures(avx, avx2, fma, f, bw, vl, dq));
        Assert.Equal(expected, choice.CoreType);
        Assert.Equal(expected is null ? CoreTypeSource.OpenBlas : CoreTypeSource.EmbedRec, choice.Source);
    }

    [Fact]
    public void TheUsersCoreTypeIsKeptAndTheAlternativeNamed()
    {
        var full = new CpuFeatures(true, true, true, true, true, true, true);
        var user = OpenBlasCoreType.Resolve(full, "Haswell");
        Assert.Equal("Haswell", user.CoreType);
        Assert.Equal(CoreTypeSource.User, user.Source);
        Assert.Contains("would choose SkylakeX", user.Reason);
        var unset = OpenBlasCoreType.Resolve(full, "");
        Assert.Equal(("SkylakeX", CoreTypeSource.EmbedRec), (unset.CoreType, unset.Source));
    }

    [Theory]
    [InlineData(256, 3706, 64, "medium-wide")] // scoring 256 users against 3,706 items
    [InlineData(25600, 64, 64, "medium-tall")] // a batch through a 64x64 layer
    [InlineData(64, 64, 25600, "medium-deep")] // that layer's weight gradient
    [InlineData(100, 200, 50, "small")]
    [InlineData(127, 128, 128, "small")] // 2,080,768 < 2^21
    [InlineData(128, 128, 128, "medium-square")] // 2^21
    [InlineData(4096, 4096, 64, "large-flat")]
    [InlineData(2048, 2048, 2048, "huge-square")]
    [InlineData(1024, 1024, 1024, "large-square")]
    [InlineData(1626, 1626, 1626, "huge-square")] // 1625^3 < 2^32 ≤ 1626^3
    [InlineData(1625, 1625, 1625, "large-square")]
    [InlineData(64, 1 << 20, 64 * 4, "large-wide")] // huge but not square: its aspect's large class
    [InlineData(512, 16384, 512, "large-wide")]
    public void ShapesFallIntoTheirClass(int m, int n, int k, string expected) => Assert.Equal(expected, GemmShapeClass.Of(m, n, k));

    [Fact]
    public void EveryRepresentativeBelongsToItsOwnClassAndClassesAreDistinct()
    {
        foreach (var (cls, m, n, k) in GemmShapeClass.Representatives) Assert.Equal(cls, GemmShapeClass.Of(m, n, k));
        Assert.Equal(GemmShapeClass.Representatives.Count, GemmShapeClass.Representatives.Select(r => r.Class).Distinct().Count());
    }

    [Theory]
    [InlineData(100.0, 104.9, true, "managed")] // within the 5 % margin: stays managed
    [InlineData(100.0, 106.0, true, "openblas")]
    [InlineData(100.0, 300.0, false, "managed")] // fast but wrong
    [InlineData(250.0, 170.0, true, "managed")]
    public void ADecisionNeedsACorrectAndClearlyFasterOpenBlas(double managed, double native, bool correct, string expected) =>
        Assert.Equal(expected, BlasCalibration.Decide(managed, native, correct));

    /// <summary>The table measured on 2026-12-02 in shape: OpenBLAS wins small and deep products, managed the rest.</summary>
    private static BlasCalibration Table() => new(Key,
        GemmShapeClass.Representatives.Select(r => new ShapeClassResult(r.Class, r.M, r.N, r.K, 150, 100, 1e-7,
            r.Class is "small" or "medium-deep" ? "openblas" : "managed")).ToList(), true, 0.5, DateTimeOffset.UnixEpoch) { LoadPerProcessor = 0.25 };

    [Theory]
    [InlineData(64, 64, 25600, "openblas")]
    [InlineData(8, 8, 8, "openblas")]
    [InlineData(256, 3706, 64, "managed")]
    [InlineData(25600, 64, 64, "managed")]
    [InlineData(2048, 2048, 2048, "managed")]
    [InlineData(64, 64, 1 << 20, "managed")] // large-deep
    public void TheTableDecidesPerShape(int m, int n, int k, string expected)
    {
        Assert.Equal(expected, Table().BackendFor(m, n, k));
        var managed = new Recorder("managed");
        var native = new Recorder("openblas");
        var auto = Assert.IsType<AutoBlas>(AutoBlas.For(Table(), managed, native));
        auto.Sgemm(false, false, m, n, k, 1f, [], 1, [], 1, 0f, [], 1);
        Assert.Equal(expected == "openblas" ? (0, 1) : (1, 0), (managed.Calls, native.Calls));
    }

    [Fact]
    public void AUniformTableUsesTheBackendItself()
    {
        var managed = new Recorder("managed");
        var native = new Recorder("openblas");
        Assert.Same(managed, AutoBlas.For(BlasCalibration.Uniform(Key, "managed"), managed, native));
        Assert.Same(native, AutoBlas.For(BlasCalibration.Uniform(Key, "openblas"), managed, native));
        Assert.Throws<ArgumentException>(() => BlasCalibration.Uniform(Key, "mkl"));
    }

    [Fact]
    public void CalibrationRoundTripsThroughTheCache()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "sub", Key.FileName());
        var table = Table();
        Assert.Null(BlasCalibrationCache.TrySave(path, table));
        var back = BlasCalibrationCache.TryLoad(path, Key, out var status);
        Assert.NotNull(back);
        Assert.Equal("read from the cache", status);
        Assert.Equal(table.Key, back.Key);
        Assert.Equal(table.Classes, back.Classes);
        Assert.Equal((table.NativeCorrect, table.Seconds, table.Created, table.LoadPerProcessor), (back.NativeCorrect, back.Seconds, back.Created, back.LoadPerProcessor));
        Assert.False(back.Busy);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp", SearchOption.AllDirectories));
        Assert.Null(BlasCalibrationCache.TryLoad(path, Key with { Threads = 4 }, out status));
        Assert.Contains("another CPU", status);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(0.05, false)]
    [InlineData(0.25, false)]
    [InlineData(0.5, true)] // one other busy process on two processors
    [InlineData(4.2, true)]
    public void ACalibrationUnderLoadIsMarkedBusyAndKeepsTheMark(double? load, bool busy)
    {
        var c = BlasCalibration.FromJson((Table() with { LoadPerProcessor = load }).ToJson());
        Assert.Equal(load, c.LoadPerProcessor);
        Assert.Equal(busy, c.Busy);
    }

    [Theory]
    [InlineData("2.85 5.01 5.51 1/456 30539\n", 0)] // only the reader runs: a quiet machine, whatever the 1-minute average says
    [InlineData("0.10 0.20 0.30 3/456 30539", 2)]
    [InlineData("0.10 0.20 0.30 0/456 30539", 0)]
    [InlineData("0.10 0.20 0.30", null)]
    [InlineData("0.10 0.20 0.30 x/456 1", null)]
    public void TheBusyCheckCountsTheThreadsRunnableNowBesidesTheReader(string loadavg, int? others) =>
        Assert.Equal(others, BlasCalibrator.RunnableOthers(loadavg));

    [Theory]
    [InlineData("4242 (dotnet) R 1 4242 4242 0 -1", 'R')]
    [InlineData("4243 (.NET Tiered (Com) S 1 4242", 'S')] // a name with spaces and a parenthesis
    [InlineData("4244 (x)", '?')]
    public void AThreadsStateIsTheLetterAfterItsName(string stat, char state) => Assert.Equal(state, BlasCalibrator.RunState(stat));

    [Fact]
    public void TheLoadNowIsReadWhereLinuxGivesIt()
    {
        if (!File.Exists("/proc/loadavg")) return; // not Linux: the check is null there, tested by the parser above
        var load = BlasCalibrator.LoadPerProcessor();
        Assert.NotNull(load);
        Assert.InRange(load!.Value, 0, 1e4);
    }

    [Fact]
    public void KeysThatDifferGetDifferentFiles()
    {
        Assert.Matches("^blas-[0-9a-f]{12}\\.json$", Key.FileName());
        Assert.NotEqual(Key.FileName(), (Key with { CoreType = "Haswell" }).FileName());
        Assert.NotEqual(Key.FileName(), (Key with { CpuModel = "Other CPU" }).FileName());
        Assert.Equal(Key.FileName(), (Key with { }).FileName());
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"key\": {")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"key\": null, \"classes\": []}")]
    [InlineData("not json at all \u0000")]
    public void ACorruptCacheIsIgnoredAndRewritten(string garbage)
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, Key.FileName());
        File.WriteAllText(path, garbage);
        Assert.Null(BlasCalibrationCache.TryLoad(path, Key, out var status));
        Assert.StartsWith("corrupt cached calibration ignored", status);
        Assert.Null(BlasCalibrationCache.TrySave(path, Table()));
        Assert.NotNull(BlasCalibrationCache.TryLoad(path, Key, out _));
    }

    [Fact]
    public void ACacheWithAMissingClassOrUnknownBackendIsCorrupt()
    {
        var json = Table().ToJson();
        var missing = Table() with { Classes = Table().Classes.Where(c => c.ShapeClass != "medium-wide").ToList() };
        var e = Assert.Throws<FormatException>(() => BlasCalibration.FromJson(missing.ToJson()));
        Assert.Contains("'medium-wide'", e.Message);
        e = Assert.Throws<FormatException>(() => BlasCalibration.FromJson(json.Replace("\"openblas\"", "\"mkl\"")));
        Assert.Contains("'mkl'", e.Message);
    }

    [Fact]
    public void AnUnwritableCacheIsReportedNotThrown()
    {
        using var dir = new TempDir();
        var file = Path.Combine(dir.Path, "a-file");
        File.WriteAllText(file, "");
        var error = BlasCalibrationCache.TrySave(Path.Combine(file, Key.FileName()), Table());
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void TheCacheDirectoryHonoursEmbedrecCache()
    {
        // Read only: the variable is set for the process by whoever runs the tests, if at all.
        var set = Environment.GetEnvironmentVariable("EMBEDREC_CACHE");
        var dir = BlasCalibrationCache.Directory();
        if (!string.IsNullOrWhiteSpace(set)) Assert.Equal(set, dir);
        else Assert.EndsWith("embedrec", dir);
    }

    [NativeBlasFact]
    public void OpenBlasMatchesManagedOnEveryShapeClass()
    {
        var native = Blas.TryNative()!;
        foreach (var (cls, m0, n0, k0) in GemmShapeClass.Representatives)
        {
            // The classes' shapes, scaled down 4x per dimension where that keeps them large enough to be blocked.
            int m = Math.Max(8, m0 / 4), n = Math.Max(8, n0 / 4), k = Math.Max(8, k0 / 4);
            var rng = new Rng((ulong)(m + 3 * n + 7 * k));
            var a = new float[m * k]; var b = new float[k * n];
            rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1);
            var cn = new float[m * n]; var cm = new float[m * n];
            native.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, cn, n);
            Blas.Managed.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, cm, n);
            double err = BlasCalibrator.RelativeError(cn, cm);
            Assert.True(err <= BlasCalibration.Tolerance, $"{cls} [{m}x{k}]x[{k}x{n}] on {native.Description}: relative error {err:E2}");
        }
    }

    [NativeBlasFact]
    public void AnExplicitCalibrationChecksAndTimesEveryClass()
    {
        var native = Blas.TryNative()!;
        var cal = BlasCalibrator.Run(Blas.Managed, native, BlasCalibrationKey.For(native, Blas.ThreadCount));
        Assert.True(cal.NativeCorrect, string.Join("; ", cal.Classes.Select(c => $"{c.ShapeClass}: {c.NativeError:E2}")));
        Assert.Equal(GemmShapeClass.Representatives.Select(r => r.Class), cal.Classes.Select(c => c.ShapeClass));
        foreach (var c in cal.Classes)
        {
            Assert.True(c.ManagedGflops > 0 && c.NativeGflops > 0 && c.NativeError <= BlasCalibration.Tolerance, c.ToString());
            Assert.Equal(BlasCalibration.Decide(c.ManagedGflops, c.NativeGflops, true), c.Backend);
        }
        Assert.Equal(cal.Classes, BlasCalibration.FromJson(cal.ToJson()).Classes);
    }

    private sealed class Recorder(string name) : IBlas
    {
        public int Calls { get; private set; }
        public string Name => name;
        public string Description => name;
        public int Threads => 1;
        public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
            ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) => Calls++;
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("embedrec-blas-").FullName;
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
