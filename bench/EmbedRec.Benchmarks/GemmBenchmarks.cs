using BenchmarkDotNet.Attributes;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Kernels;

namespace EmbedRec.Benchmarks;

/// <summary>
/// GEMM at the shapes the models use (<see cref="QuickRunner.GemmShapes"/>: scoring a batch against all items, a batch
/// through a 64×64 layer and its weight gradient, a small product, square products) on each backend, <c>auto</c>
/// included (it follows the cached calibration, or calibrates in the benchmark's setup).
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _a = [], _b = [], _c = [];

    [Params("256x64x3706", "25600x64x64", "64x25600x64", "100x50x200", "1024x1024x1024", "2048x2048x2048")]
    public string Shape { get; set; } = "";

    [Params("native", "managed", "auto")]
    public string Backend { get; set; } = "";

    private int _m, _k, _n;
    private IBlas _blas = Blas.Managed;

    [GlobalSetup]
    public void Setup()
    {
        var p = Shape.Split('x').Select(int.Parse).ToArray();
        (_m, _k, _n) = (p[0], p[1], p[2]);
        var rng = new Rng(1);
        _a = new float[_m * _k]; _b = new float[_k * _n]; _c = new float[_m * _n];
        rng.FillNormal(_a); rng.FillNormal(_b);
        _blas = Backend switch
        {
            "native" => (IBlas?)Blas.TryNative() ?? throw new InvalidOperationException("OpenBLAS is not installed"),
            "auto" => Blas.Current,
            _ => Blas.Managed,
        };
    }

    [Benchmark]
    public void Sgemm() => _blas.Sgemm(false, false, _m, _n, _k, 1f, _a, _k, _b, _n, 0f, _c, _n);
}
