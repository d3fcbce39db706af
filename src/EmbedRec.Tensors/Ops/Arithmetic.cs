using EmbedRec.Tensors.Autograd;
using EmbedRec.Tensors.Memory;

namespace EmbedRec.Tensors;

/// <summary>Tensor operations with reverse-mode gradients. Each op keeps forward and backward together.</summary>
public static partial class Ops
{
    private enum Arith { Add, Sub, Mul, Div }

    /// <summary>a + b with NumPy broadcasting.</summary>
    public static Tensor Add(Tensor a, Tensor b) => Binary(a, b, Arith.Add, "add");

    /// <summary>a − b with NumPy broadcasting.</summary>
    public static Tensor Sub(Tensor a, Tensor b) => Binary(a, b, Arith.Sub, "sub");

    /// <summary>a ⊙ b with NumPy broadcasting.</summary>
    public static Tensor Mul(Tensor a, Tensor b) => Binary(a, b, Arith.Mul, "mul");

    /// <summary>a / b with NumPy broadcasting.</summary>
    public static Tensor Div(Tensor a, Tensor b) => Binary(a, b, Arith.Div, "div");

    /// <summary>x + s.</summary>
    public static Tensor AddScalar(Tensor x, float s)
    {
        var y = Tensor.Pooled(x.ShapeArray);
        TensorPrimitives.Add(x.Span, s, y.Span);
        if (Backprop.Tracks(x))
            Backprop.Record(y, "add_scalar", [x], g => Backprop.SumAcc(x, g));
        return y;
    }

    /// <summary>x · s.</summary>
    public static Tensor MulScalar(Tensor x, float s)
    {
        var y = Tensor.Pooled(x.ShapeArray);
        TensorPrimitives.Multiply(x.Span, s, y.Span);
        if (Backprop.Tracks(x))
            Backprop.Record(y, "mul_scalar", [x], g =>
            {
                var gx = Backprop.GradSpan(x);
                TensorPrimitives.MultiplyAdd(g.Span, s, gx, gx);
            });
        return y;
    }

    private static Tensor Binary(Tensor a, Tensor b, Arith kind, string op)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        int[] shape = ShapeUtil.Equal(a.Shape, b.Shape) ? a.ShapeArray : ShapeUtil.Broadcast(a.Shape, b.Shape, op);
        int n = ShapeUtil.Size(shape);
        var y = Tensor.Pooled(shape);
        var pool = BufferPool.Shared;
        float[]? ea = null, eb = null;
        ReadOnlySpan<float> sa = a.Span, sb = b.Span;
        bool scalarB = b.Size == 1 && a.Size == n;
        if (!scalarB)
        {
            if (a.Size != n) { ea = pool.Rent(n, false); Broadcasting.Expand(sa, a.Shape, shape, ea); sa = ea; }
            if (b.Size != n) { eb = pool.Rent(n, false); Broadcasting.Expand(sb, b.Shape, shape, eb); sb = eb; }
        }
        var o = y.Span;
        if (scalarB)
        {
            float s = sb[0];
            switch (kind)
            {
                case Arith.Add: TensorPrimitives.Add(sa, s, o); break;
                case Arith.Sub: TensorPrimitives.Subtract(sa, s, o); break;
                case Arith.Mul: TensorPrimitives.Multiply(sa, s, o); break;
                default: TensorPrimitives.Divide(sa, s, o); break;
            }
        }
        else
        {
            switch (kind)
            {
                case Arith.Add: TensorPrimitives.Add(sa, sb, o); break;
                case Arith.Sub: TensorPrimitives.Subtract(sa, sb, o); break;
                case Arith.Mul: TensorPrimitives.Multiply(sa, sb, o); break;
                default: TensorPrimitives.Divide(sa, sb, o); break;
            }
        }
        if (ea is not null) pool.Return(ea);
        if (eb is not null) pool.Return(eb);
        if (!Backprop.Tracks(a, b)) return y;

        Backprop.Record(y, op, [a, b], g =>
        {
            var gs = g.Span;
            if (kind is Arith.Add or Arith.Sub)
            {
                if (a.RequiresGrad) Broadcasting.SumToAccumulate(gs, shape, a.Shape, Backprop.GradSpan(a));
                if (b.RequiresGrad)
                {
                    if (kind == Arith.Add) Broadcasting.SumToAccumulate(gs, shape, b.Shape, Backprop.GradSpan(b));
                    else
                    {
                        var neg = pool.Rent(n, false);
                        TensorPrimitives.Negate(gs, neg);
                        Broadcasting.SumToAccumulate(neg, shape, b.Shape, Backprop.GradSpan(b));
                        pool.Return(neg);
                    }
                }
                return;
            }
            var tmp = pool.Rent(n, false);
            var xa = pool.Rent(n, false);
            var xb = pool.Rent(n, false);
            Broadcasting.Expand(a.Span, a.Shape, shape, xa);
            Broadcasting.Expand(b.Span, b.Shape, shape, xb);
            if (a.RequiresGrad)
            {
                if (kind == Arith.Mul) TensorPrimitives.Multiply(gs, xb, tmp);
                else TensorPrimitives.Divide(gs, xb, tmp);
                Broadcasting.SumToAccumulate(tmp, shape, a.Shape, Backprop.GradSpan(a));
            }
            if (b.RequiresGrad)
            {
                if (kind == Arith.Mul) TensorPrimitives.Multiply(gs, xa, tmp);
                else
                {
                    // d(a/b)/db = −a/b² = −y/b
                    TensorPrimitives.Multiply(gs, y.Span, tmp);
                    TensorPrimitives.Divide(tmp, xb, tmp);
                    TensorPrimitives.Negate(tmp, tmp);
                }
                Broadcasting.SumToAccumulate(tmp, shape, b.Shape, Backprop.GradSpan(b));
            }
            pool.Return(tmp); pool.Return(xa); pool.Return(xb);
        });
        return y;
    }
}

public sealed partial class Tensor
{
    /// <summary>Elementwise sum with broadcasting.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Ops.Add(a, b);

    /// <summary>Elementwise difference with broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Ops.Sub(a, b);

    /// <summary>Elementwise product with broadcasting.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Ops.Mul(a, b);

    /// <summary>Elementwise quotient with broadcasting.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Ops.Div(a, b);

    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => Ops.Neg(a);

    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(Tensor a, float s) => Ops.AddScalar(a, s);

    /// <summary>Subtracts a scalar.</summary>
    public static Tensor operator -(Tensor a, float s) => Ops.AddScalar(a, -s);

    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(Tensor a, float s) => Ops.MulScalar(a, s);

    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(float s, Tensor a) => Ops.MulScalar(a, s);

    /// <summary>Divides by a scalar.</summary>
    public static Tensor operator /(Tensor a, float s) => Ops.MulScalar(a, 1f / s);
}
