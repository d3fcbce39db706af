using EmbedRec.Tensors.Memory;

namespace EmbedRec.Tensors;

public sealed partial class Tensor
{
    /// <summary>Wraps <paramref name="data"/> without copying; its length must equal the shape's size.</summary>
    public static Tensor FromArray(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        int size = ShapeUtil.Size(shape);
        if (data.Length != size)
            throw new ArgumentException($"FromArray: {data.Length} values do not fill shape {ShapeUtil.Format(shape)} ({size} elements).");
        return new Tensor(data, (int[])shape.Clone(), false);
    }

    /// <summary>Copies <paramref name="values"/> into a new tensor of the given shape.</summary>
    public static Tensor FromSpan(ReadOnlySpan<float> values, params int[] shape)
    {
        int size = ShapeUtil.Size(shape);
        if (values.Length != size)
            throw new ArgumentException($"FromSpan: {values.Length} values do not fill shape {ShapeUtil.Format(shape)} ({size} elements).");
        return new Tensor(values.ToArray(), (int[])shape.Clone(), false);
    }

    /// <summary>A one-element tensor of shape [].</summary>
    public static Tensor Scalar(float value) => new([value], [], false);

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(params int[] shape) => new(new float[ShapeUtil.Size(shape)], (int[])shape.Clone(), false);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(params int[] shape) => Full(1f, shape);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        var t = Zeros(shape);
        t.Span.Fill(value);
        return t;
    }

    /// <summary>Samples of N(mean, std²) from <paramref name="rng"/>.</summary>
    public static Tensor RandomNormal(Rng rng, int[] shape, float mean = 0f, float std = 1f)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var t = Zeros(shape);
        rng.FillNormal(t.Span, mean, std);
        return t;
    }

    /// <summary>Samples of U[low, high) from <paramref name="rng"/>.</summary>
    public static Tensor RandomUniform(Rng rng, int[] shape, float low = 0f, float high = 1f)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var t = Zeros(shape);
        rng.FillUniform(t.Span, low, high);
        return t;
    }

    /// <summary>An op output: a pooled buffer, zeroed when <paramref name="clear"/>.</summary>
    internal static Tensor Pooled(int[] shape, bool clear = false)
    {
        int size = ShapeUtil.Size(shape);
        return new Tensor(BufferPool.Shared.RentAtLeast(size, clear), shape, true);
    }

    /// <summary>A view sharing this tensor's buffer under another shape of the same size.</summary>
    internal Tensor View(int[] shape) => new(Data, shape, false);
}
