using Xunit;

namespace EmbedRec.Tensors.Tests.Operations;


public class UnaryTests
{
    public static TheoryData<string> Names => new() { "neg", "exp", "log", "sqrt", "pow", "abs", "relu", "gelu", "sigmoid", "tanh", "softplus", "logsigmoid" };

    private static Tensor Apply(string name, Tensor x) => name switch
    {
        "neg" => Ops.Neg(x),
        "exp" => Ops.Exp(x),
        "log" => Ops.Log(x),
        "sqrt" => Ops.Sqrt(x),
        "pow" => Ops.Pow(x, 2.5f),
        "abs" => Ops.Abs(x),
        "relu" => Ops.Relu(x),
        "gelu" => Ops.Gelu(x),
        "sigmoid" => Ops.Sigmoid(x),
        "tanh" => Ops.Tanh(x),
        "softplus" => Ops.Softplus(x),
        "logsigmoid" => Ops.LogSigmoid(x),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Gradient(string name)
    {
        var rng = new Rng(11);
        bool positive = name is "log" or "sqrt" or "pow";
        var x = positive ? GradCheck.ParamUniform(rng, 0.5f, 2f, 3, 5) : GradCheck.Param(rng, 3, 5);
        if (name is "abs" or "relu")
        {
            // keep away from the kink at 0
            var s = x.Span;
            for (int i = 0; i < s.Length; i++) if (MathF.Abs(s[i]) < 0.1f) s[i] = 0.3f;
        }
        GradCheck.Check(t => Apply(name, t[0]), [x]);
    }

    [Fact]
    public void KnownValues()
    {
        var x = Tensor.FromArray([-2f, -0.5f, 0f, 1f, 3f], 5);
        // torch.nn.functional.gelu(torch.tensor([-2., -.5, 0., 1., 3.]))
        GradCheck.Close([-0.04550028f, -0.15426877f, 0f, 0.8413447f, 2.9959502f], Ops.Gelu(x).ToArray(), 1e-6f);
        // torch.nn.functional.softplus / logsigmoid
        GradCheck.Close([0.126928f, 0.474077f, 0.693147f, 1.313262f, 3.048587f], Ops.Softplus(x).ToArray(), 1e-6f);
        GradCheck.Close([-2.126928f, -0.974077f, -0.693147f, -0.313262f, -0.048587f], Ops.LogSigmoid(x).ToArray(), 1e-6f);
        Assert.Equal(30f, Ops.Softplus(Tensor.FromArray([30f], 1)).Item());
        Assert.Equal(-100f, Ops.LogSigmoid(Tensor.FromArray([-100f], 1)).Item(), 3);
    }

    /// <summary>Φ in double precision by erf's Taylor series (|z| ≤ 4.5: about 1e-9 after cancellation), 0 or 1 beyond.</summary>
    private static double ReferenceCdf(double x)
    {
        double z = x / Math.Sqrt(2);
        if (Math.Abs(z) > 4.5) return z > 0 ? 1 : 0;
        double term = z, sum = z;
        for (int n = 1; n < 200; n++)
        {
            term *= -z * z / n;
            sum += term / (2 * n + 1);
        }
        return 0.5 * (1 + 2 / Math.Sqrt(Math.PI) * sum);
    }

    [Fact]
    public void GeluMatchesTheDoublePrecisionFormulaInEveryLaneAndTheTail()
    {
        // 20,003 points in [-10, 10]: an odd count, so the scalar tail after the vector lanes is exercised too.
        int n = 20_003;
        var xs = new float[n];
        for (int i = 0; i < n; i++) xs[i] = -10f + 20f * i / (n - 1);
        var x = Tensor.FromArray(xs, n);
        x.RequiresGrad = true;
        var y = Ops.Gelu(x);
        var ys = y.ToArray();
        Ops.Sum(y).Backward();
        var gs = x.Grad!.ToArray();
        double worstY = 0, worstG = 0;
        for (int i = 0; i < n; i++)
        {
            double v = xs[i], cdf = ReferenceCdf(v), pdf = Math.Exp(-0.5 * v * v) / Math.Sqrt(2 * Math.PI);
            worstY = Math.Max(worstY, Math.Abs(ys[i] - v * cdf) / Math.Max(1, Math.Abs(v)));
            worstG = Math.Max(worstG, Math.Abs(gs[i] - (cdf + v * pdf)));
        }
        Assert.True(worstY < 4e-7, $"largest error of x·Φ(x), relative to max(1, |x|): {worstY:e2}");
        Assert.True(worstG < 4e-7, $"largest error of the gradient: {worstG:e2}");
        // The same input gives the same value and gradient wherever it sits: the last 3 of 20,003 are the tail after
        // the vector lanes (20,003 = 3 mod 8 and mod 16), and at the front of a 67-element span they are in a lane.
        var front = new float[67];
        xs.AsSpan(n - 3).CopyTo(front);
        var t = Tensor.FromArray(front, 67);
        t.RequiresGrad = true;
        var moved = Ops.Gelu(t);
        Assert.Equal(ys.AsSpan(n - 3).ToArray(), moved.ToArray().AsSpan(0, 3).ToArray());
        Ops.Sum(moved).Backward();
        Assert.Equal(gs.AsSpan(n - 3).ToArray(), t.Grad!.ToArray().AsSpan(0, 3).ToArray());
    }
}
