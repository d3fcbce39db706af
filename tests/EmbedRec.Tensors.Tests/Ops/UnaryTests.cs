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
}
