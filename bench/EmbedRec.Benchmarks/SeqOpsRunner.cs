using EmbedRec.Tensors;
using EmbedRec.Tensors.Nn;

namespace EmbedRec.Benchmarks;

/// <summary>
/// Fused sequence ops against the ops they replace, forward + backward, at the sizes of the models
/// that use them (<c>quick seqops [--only gru|ce]</c>): <see cref="Ops.PackedGru"/> against <see cref="GRU"/> over the
/// padded batch plus a gather of each row's last real state (GRU4Rec on Beauty: B 512, T ≤ 50, lengths
/// mostly 3–10, I = H = 64), and <see cref="Ops.LinearCrossEntropy"/> against
/// <c>CrossEntropy(Linear(...))</c> (BERT4Rec on ML-1M's item count: M 6,000 masked positions,
/// C 12,103 items, d 64). Reports median milliseconds per step and the managed bytes allocated by one step.
/// </summary>
public static class SeqOpsRunner
{
    /// <summary>Runs both comparisons, or one with <c>--only gru</c> or <c>--only ce</c>.</summary>
    public static object Run(string[] args, double seconds)
    {
        int oi = Array.IndexOf(args, "--only");
        string only = oi >= 0 && oi + 1 < args.Length ? args[oi + 1] : "";
        var results = new Dictionary<string, object>();
        if (only is "" or "gru") results["gru"] = Gru(seconds);
        if (only is "" or "ce") results["cross_entropy"] = CrossEntropy(seconds);
        return results;
    }

    /// <summary>Beauty-like sequence lengths: three in four rows 3–10, the rest a long tail to <paramref name="maxLen"/>.</summary>
    public static int[] BeautyLengths(Rng rng, int count, int maxLen)
    {
        var lengths = new int[count];
        for (int i = 0; i < count; i++)
            lengths[i] = rng.NextSingle() < 0.75f ? 3 + rng.NextInt(8) : Math.Min(maxLen, 11 + (int)(-12 * Math.Log(1 - rng.NextDouble())));
        lengths[0] = maxLen;
        return lengths;
    }

    private static object Gru(double seconds)
    {
        const int b = 512, t = 50, f = 64;
        var rng = new Rng(1);
        var gru = new GRU(f, f, rng, bias: false);
        var x = Tensor.RandomNormal(rng, [b, t, f]);
        x.RequiresGrad = true;
        var lengths = BeautyLengths(rng, b, t);
        var lastRows = Enumerable.Range(0, b).Select(i => i * t + lengths[i] - 1).ToArray();
        var w = Tensor.RandomNormal(rng, [b, f]);
        void Fused()
        {
            Ops.Sum(Ops.Mul(Ops.PackedGru(x, lengths, gru.WeightIh, gru.WeightHh), w)).Backward();
            Zero(x, gru);
        }
        void Composed()
        {
            var (output, _) = gru.Forward(x);
            var last = Ops.Gather(Ops.Reshape(output, b * t, f), lastRows);
            Ops.Sum(Ops.Mul(last, w)).Backward();
            Zero(x, gru);
        }
        double fused = QuickRunner.Time(Fused, seconds) * 1e3;
        double composed = QuickRunner.Time(Composed, seconds) * 1e3;
        return new
        {
            shape = $"B {b}, T {t}, I = H = {f}, tokens {lengths.Sum()} of {b * t}, mean length {lengths.Average():F1}",
            fused_ms = fused,
            composed_ms = composed,
            speedup = composed / fused,
            fused_alloc_bytes = Allocated(Fused),
            composed_alloc_bytes = Allocated(Composed),
        };
    }

    private static object CrossEntropy(double seconds)
    {
        const int m = 6000, c = 12103, d = 64;
        var rng = new Rng(2);
        var proj = new Linear(d, c, rng);
        var h = Tensor.RandomNormal(rng, [m, d]);
        h.RequiresGrad = true;
        var labels = Enumerable.Range(0, m).Select(_ => rng.NextInt(c)).ToArray();
        void Fused()
        {
            Ops.LinearCrossEntropy(h, proj.Weight, proj.Bias, labels).Backward();
            Zero(h, proj);
        }
        void Composed()
        {
            Ops.CrossEntropy(Ops.Linear(h, proj.Weight, proj.Bias), labels).Backward();
            Zero(h, proj);
        }
        double fused = QuickRunner.Time(Fused, seconds) * 1e3;
        double composed = QuickRunner.Time(Composed, seconds) * 1e3;
        return new
        {
            shape = $"M {m}, C {c}, d {d}",
            fused_ms = fused,
            composed_ms = composed,
            speedup = composed / fused,
            fused_alloc_bytes = Allocated(Fused),
            composed_alloc_bytes = Allocated(Composed),
        };
    }

    private static void Zero(Tensor x, Module m)
    {
        x.ZeroGrad();
        m.ZeroGrad();
    }

    private static long Allocated(Action step)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        step();
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }
}
