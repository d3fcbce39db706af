using EmbedRec.Tensors.Autograd;

namespace EmbedRec.Tensors;

/// <summary>Backward of an elementwise op: accumulate dL/dx into <c>gx</c> from x, y = f(x) and dL/dy.</summary>
internal delegate void UnaryBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> gx);

/// <summary>Forward of an elementwise op.</summary>
internal delegate void UnaryForward(ReadOnlySpan<float> x, Span<float> y);

public static partial class Ops
{
    private static Tensor Unary(Tensor x, string op, UnaryForward forward, UnaryBackward backward)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor.Pooled(x.ShapeArray);
        forward(x.Span, y.Span);
        if (Backprop.Tracks(x))
            Backprop.Record(y, op, [x], g => backward(x.Span, y.Span, g.Span, Backprop.GradSpan(x)));
        return y;
    }

    /// <summary>−x.</summary>
    public static Tensor Neg(Tensor x) => Unary(x, "neg",
        static (x, y) => TensorPrimitives.Negate(x, y),
        static (_, _, g, gx) => TensorPrimitives.Subtract(gx, g, gx));

    /// <summary>eˣ.</summary>
    public static Tensor Exp(Tensor x) => Unary(x, "exp",
        static (x, y) => TensorPrimitives.Exp(x, y),
        static (_, y, g, gx) => TensorPrimitives.MultiplyAdd(g, y, gx, gx));

    /// <summary>Natural logarithm.</summary>
    public static Tensor Log(Tensor x) => Unary(x, "log",
        static (x, y) => TensorPrimitives.Log(x, y),
        static (x, _, g, gx) => { for (int i = 0; i < gx.Length; i++) gx[i] += g[i] / x[i]; });

    /// <summary>Square root.</summary>
    public static Tensor Sqrt(Tensor x) => Unary(x, "sqrt",
        static (x, y) => TensorPrimitives.Sqrt(x, y),
        static (_, y, g, gx) => { for (int i = 0; i < gx.Length; i++) gx[i] += 0.5f * g[i] / y[i]; });

    /// <summary>|x| (gradient sign(x), 0 at 0).</summary>
    public static Tensor Abs(Tensor x) => Unary(x, "abs",
        static (x, y) => TensorPrimitives.Abs(x, y),
        static (x, _, g, gx) => { for (int i = 0; i < gx.Length; i++) gx[i] += x[i] > 0 ? g[i] : x[i] < 0 ? -g[i] : 0f; });

    /// <summary>xᵖ for a scalar exponent.</summary>
    public static Tensor Pow(Tensor x, float p)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor.Pooled(x.ShapeArray);
        TensorPrimitives.Pow(x.Span, p, y.Span);
        if (Backprop.Tracks(x))
            Backprop.Record(y, "pow", [x], g =>
            {
                var gx = Backprop.GradSpan(x);
                var xs = x.Span;
                var gs = g.Span;
                for (int i = 0; i < gx.Length; i++) gx[i] += gs[i] * p * MathF.Pow(xs[i], p - 1f);
            });
        return y;
    }

    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor x) => Unary(x, "relu",
        static (x, y) => TensorPrimitives.Max(x, 0f, y),
        static (x, _, g, gx) => { for (int i = 0; i < gx.Length; i++) if (x[i] > 0f) gx[i] += g[i]; });

    /// <summary>Logistic sigmoid.</summary>
    public static Tensor Sigmoid(Tensor x) => Unary(x, "sigmoid",
        static (x, y) => TensorPrimitives.Sigmoid(x, y),
        static (_, y, g, gx) => { for (int i = 0; i < gx.Length; i++) gx[i] += g[i] * y[i] * (1f - y[i]); });

    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor x) => Unary(x, "tanh",
        static (x, y) => TensorPrimitives.Tanh(x, y),
        static (_, y, g, gx) => { for (int i = 0; i < gx.Length; i++) gx[i] += g[i] * (1f - y[i] * y[i]); });

    /// <summary>log(1 + eˣ), linear above 20 as in PyTorch.</summary>
    public static Tensor Softplus(Tensor x) => Unary(x, "softplus",
        static (x, y) => { for (int i = 0; i < y.Length; i++) y[i] = Scalar.Softplus(x[i]); },
        static (x, _, g, gx) => { for (int i = 0; i < gx.Length; i++) gx[i] += g[i] * Scalar.Sigmoid(x[i]); });

    /// <summary>log σ(x), computed stably.</summary>
    public static Tensor LogSigmoid(Tensor x) => Unary(x, "log_sigmoid",
        static (x, y) => { for (int i = 0; i < y.Length; i++) y[i] = Scalar.LogSigmoid(x[i]); },
        static (x, _, g, gx) => { for (int i = 0; i < gx.Length; i++) gx[i] += g[i] * Scalar.Sigmoid(-x[i]); });

    /// <summary>GELU with the exact erf form (PyTorch's default): x·Φ(x).</summary>
    public static Tensor Gelu(Tensor x) => Unary(x, "gelu",
        static (x, y) => Kernels.GeluKernel.Forward(x, y),
        static (x, _, g, gx) => Kernels.GeluKernel.Backward(x, g, gx));
}

/// <summary>Scalar helpers shared by kernels.</summary>
internal static class Scalar
{
    public static float Sigmoid(float x) => x >= 0 ? 1f / (1f + MathF.Exp(-x)) : MathF.Exp(x) / (1f + MathF.Exp(x));

    public static float Softplus(float x) => x > 20f ? x : MathF.Max(x, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));

    public static float LogSigmoid(float x) => MathF.Min(x, 0f) - MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));

}
