using BenchmarkDotNet.Attributes;
using EmbedRec.Tensors;

namespace EmbedRec.Benchmarks;

/// <summary>Per-op overhead: a 64-float add with and without autograd recording.</summary>
[MemoryDiagnoser]
public class OpOverheadBenchmarks
{
    private readonly Tensor _a = Tensor.Ones(64), _b = Tensor.Ones(64);
    private readonly Tensor _ga = Tensor.Ones(64), _gb = Tensor.Ones(64);

    [GlobalSetup]
    public void Setup()
    {
        _ga.RequiresGrad = true;
        _gb.RequiresGrad = true;
    }

    [Benchmark(Baseline = true)]
    public void AddNoGrad() => Ops.Add(_a, _b).Dispose();

    [Benchmark]
    public void AddRecorded() => Ops.Add(_ga, _gb).Dispose();

    [Benchmark]
    public void AddSumBackward() => Ops.Sum(Ops.Add(_ga, _gb)).Backward();
}
