using BenchmarkDotNet.Attributes;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Nn;
using EmbedRec.Tensors.Optim;

namespace EmbedRec.Benchmarks;

/// <summary>One step of a small MLP (64 → 128 → 10, batch 256, GELU, cross-entropy, AdamW); MemoryDiagnoser reports bytes allocated per step.</summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private Linear _fc1 = null!, _fc2 = null!;
    private AdamW _opt = null!;
    private Tensor _x = null!;
    private int[] _y = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(1);
        _fc1 = new Linear(64, 128, rng);
        _fc2 = new Linear(128, 10, rng);
        _opt = new AdamW(_fc1.Parameters().Concat(_fc2.Parameters()));
        _x = Tensor.RandomNormal(rng, [256, 64]);
        _y = Enumerable.Range(0, 256).Select(i => i % 10).ToArray();
    }

    [Benchmark]
    public void MlpStep()
    {
        _opt.ZeroGrad();
        var loss = Ops.CrossEntropy(_fc2.Forward(Ops.Gelu(_fc1.Forward(_x))), _y);
        loss.Backward();
        _opt.Step();
    }
}
