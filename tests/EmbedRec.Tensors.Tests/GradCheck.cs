using Xunit;

namespace EmbedRec.Tensors.Tests;

/// <summary>Finite-difference gradient checks: analytic gradients of L = Σ w ⊙ f(inputs) against central differences.</summary>
internal static class GradCheck
{
    public static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, float h = 1e-2f, float atol = 2e-3f, float rtol = 2e-2f, int seed = 7)
    {
        foreach (var t in inputs) { t.ZeroGrad(); }
        Tensor outProbe;
        using (GradMode.NoGrad()) outProbe = f(inputs);
        var weights = Tensor.RandomUniform(new Rng((ulong)seed), outProbe.ShapeArray, -1f, 1f);
        var y = f(inputs);
        var loss = Ops.Sum(Ops.Mul(y, weights));
        loss.Backward();
        double Eval()
        {
            using var _ = GradMode.NoGrad();
            var o = f(inputs);
            double s = 0;
            var os = o.Span;
            var ws = weights.Span;
            for (int i = 0; i < os.Length; i++) s += (double)os[i] * ws[i];
            return s;
        }
        for (int k = 0; k < inputs.Length; k++)
        {
            var t = inputs[k];
            if (!t.RequiresGrad) continue;
            var analytic = t.Grad?.ToArray() ?? new float[t.Size];
            if (t.SparseGrad is { } sg)
            {
                analytic = new float[t.Size];
                sg.AddTo(analytic);
            }
            var data = t.Span;
            for (int i = 0; i < t.Size; i++)
            {
                float orig = data[i];
                data[i] = orig + h; double fp = Eval();
                data[i] = orig - h; double fm = Eval();
                data[i] = orig;
                double numeric = (fp - fm) / (2 * h);
                double err = Math.Abs(numeric - analytic[i]);
                Assert.True(err <= atol + rtol * Math.Abs(numeric),
                    $"input {k} element {i}: analytic {analytic[i]:G6}, numeric {numeric:G6}, error {err:G3}");
            }
        }
    }

    public static Tensor Param(Rng rng, params int[] shape)
    {
        var t = Tensor.RandomNormal(rng, shape);
        t.RequiresGrad = true;
        return t;
    }

    public static Tensor ParamUniform(Rng rng, float low, float high, params int[] shape)
    {
        var t = Tensor.RandomUniform(rng, shape, low, high);
        t.RequiresGrad = true;
        return t;
    }

    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float atol = 1e-5f, float rtol = 1e-4f, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float err = MathF.Abs(expected[i] - actual[i]);
            Assert.True(err <= atol + rtol * MathF.Abs(expected[i]), $"{what}[{i}]: expected {expected[i]:G7}, got {actual[i]:G7}");
        }
    }
}
