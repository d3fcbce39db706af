using EmbedRec.Tensors.Optim;
using Xunit;

namespace EmbedRec.Tensors.Tests.Optim;

public class OptimizerTests
{
    private static Tensor Param(params float[] v)
    {
        var p = Tensor.FromArray(v, v.Length);
        p.RequiresGrad = true;
        return p;
    }

    [Fact]
    public void PlainSgdStep()
    {
        var p = Param(1f, 2f);
        var opt = new Sgd([p], new SgdOptions { LearningRate = 0.5f });
        Ops.Sum(Ops.Mul(p, p)).Backward();
        opt.Step();
        Assert.Equal(new float[] { 0f, 0f }, p.ToArray());
    }

    [Fact]
    public void LazySparseAdamTouchesOnlyGatheredRows()
    {
        var table = Tensor.FromArray([1f, 1f, 2f, 2f, 3f, 3f], 3, 2);
        table.RequiresGrad = true;
        table.SparseGradients = true;
        var before = table.ToArray();
        var opt = new Adam([table], new AdamOptions { LearningRate = 0.1f, LazySparse = true });
        Ops.Sum(Ops.Gather(table, [2, 2])).Backward();
        opt.Step();
        var after = table.ToArray();
        Assert.Equal(before[..4], after[..4]);
        Assert.NotEqual(before[4], after[4]);
        // Dense semantics on a second table: every row with non-zero moments keeps moving.
        var dense = Tensor.FromArray([1f, 1f, 2f, 2f, 3f, 3f], 3, 2);
        dense.RequiresGrad = true;
        dense.SparseGradients = true;
        var opt2 = new Adam([dense], new AdamOptions { LearningRate = 0.1f });
        Ops.Sum(Ops.Gather(dense, [0])).Backward();
        opt2.Step();
        opt2.ZeroGrad();
        var mid = dense.ToArray();
        Ops.Sum(Ops.Gather(dense, [2])).Backward();
        opt2.Step();
        Assert.NotEqual(mid[0], dense.ToArray()[0]);
    }

    [Theory]
    [InlineData(false, 0f, 67)]
    [InlineData(false, 0.1f, 64)]
    [InlineData(true, 0.05f, 67)]
    [InlineData(true, 0.05f, 64)]
    public void FusedAdamMatchesTheScalarFormulaOnDenseAndSparseGradients(bool decoupled, float weightDecay, int width)
    {
        // 2,501 rows: above the threshold where the update is split across threads; width 67 leaves a scalar
        // tail after the vector lanes, width 64 takes the register row walk for sparse gradients.
        const int rows = 2501;
        var rng = new Rng(11);
        var init = new float[rows * width];
        rng.FillNormal(init);
        Tensor Table() { var t = Tensor.FromArray((float[])init.Clone(), rows, width); t.RequiresGrad = true; return t; }
        var dense = Table();
        var sparse = Table();
        sparse.SparseGradients = true;
        var o = new AdamOptions { LearningRate = 0.01f, WeightDecay = weightDecay, Beta2 = 0.98f };
        Optimizer Make(Tensor t) => decoupled ? new AdamW([t], o) : new Adam([t], o);
        var optDense = Make(dense);
        var optSparse = Make(sparse);
        var reference = (float[])init.Clone();
        var m = new float[init.Length];
        var v = new float[init.Length];
        for (int step = 1; step <= 4; step++)
        {
            var picked = new[] { (step * 37) % rows, 5, rows - 1, (step * 37) % rows, 1000 + step };
            var upstream = new float[picked.Length * width];
            rng.FillNormal(upstream);
            var g = new float[init.Length];
            for (int k = 0; k < picked.Length; k++)
                for (int j = 0; j < width; j++) g[picked[k] * width + j] += upstream[k * width + j];
            dense.Grad = Tensor.FromArray((float[])g.Clone(), rows, width); // ZeroGrad clears the tensor's array
            for (int k = 0; k < picked.Length; k++) { sparse.SparseGrad ??= new RowSparseGradient(rows, width); sparse.SparseGrad.Add(picked[k], upstream.AsSpan(k * width, width)); }
            optDense.Step();
            optSparse.Step();
            optDense.ZeroGrad();
            optSparse.ZeroGrad();
            float bc1 = 1f - MathF.Pow(0.9f, step), sqrtBc2 = MathF.Sqrt(1f - MathF.Pow(0.98f, step)), lr = 0.01f;
            for (int i = 0; i < reference.Length; i++)
            {
                float gi = g[i];
                if (decoupled) reference[i] *= 1f - lr * weightDecay;
                else gi += weightDecay * reference[i];
                m[i] = 0.9f * m[i] + (1f - 0.9f) * gi;
                v[i] = 0.98f * v[i] + (1f - 0.98f) * gi * gi;
                reference[i] -= lr / bc1 * m[i] / (MathF.Sqrt(v[i]) / sqrtBc2 + 1e-8f);
            }
            Assert.Equal(reference, dense.ToArray());
            Assert.Equal(reference, sparse.ToArray());
        }
    }

    [Fact]
    public void SchedulesFollowPyTorchFormulas()
    {
        var cos = new CosineSchedule(10, 0.1f);
        Assert.Equal(1f, cos.At(0, 1f), 6);
        Assert.Equal(0.55f, cos.At(5, 1f), 6);
        Assert.Equal(0.1f, cos.At(10, 1f), 6);
        var step = new StepSchedule(3, 0.5f);
        Assert.Equal(new[] { 1f, 1f, 1f, 0.5f, 0.5f, 0.5f, 0.25f }, Enumerable.Range(0, 7).Select(e => step.At(e, 1f)));
        Assert.Equal(0.81f, new ExponentialSchedule(0.9f).At(2, 1f), 6);
        var p = Param(1f);
        var opt = new Sgd([p]);
        cos.Apply(opt, 5, 2f);
        Assert.Equal(1.05f, opt.LearningRate, 6);
    }

    [Fact]
    public void ClipByNormScalesDenseAndSparse()
    {
        var a = Param(0f, 0f);
        a.Grad = Tensor.FromArray([3f, 0f], 2);
        var t = Tensor.Zeros(3, 1);
        t.RequiresGrad = true;
        t.SparseGrad = new RowSparseGradient(3, 1);
        t.SparseGrad.Add(1, [2f]);
        t.SparseGrad.Add(1, [2f]);
        float norm = GradClip.ClipByNorm([a, t], 1f);
        Assert.Equal(5f, norm, 5);
        Assert.Equal(0.6f, a.Grad.Span[0], 4);
        Assert.Equal(0.8f, t.SparseGrad.Values(0)[0], 4);
        Assert.Equal(1f, GradClip.ClipByNorm([a, t], 10f), 4);
    }

    [Fact]
    public void BadOptionsAreRejected()
    {
        var p = Param(1f);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], new AdamOptions { Beta1 = 1f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], new SgdOptions { LearningRate = -1f }));
        Assert.Throws<ArgumentException>(() => new Sgd([p, p]));
        Assert.Throws<ArgumentException>(() => new Sgd([Tensor.Zeros(2)]));
        Assert.Throws<ArgumentException>(() => new Sgd([p], new SgdOptions { Nesterov = true }));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradClip.ClipByNorm([p], 0f));
    }

    [Fact]
    public void ParameterWithoutGradientIsSkipped()
    {
        var p = Param(1f, 2f);
        var q = Param(3f);
        var opt = new AdamW([p, q]);
        Ops.Sum(p).Backward();
        opt.Step();
        Assert.Equal(3f, q.Span[0]);
        Assert.NotEqual(1f, p.Span[0]);
    }
}
