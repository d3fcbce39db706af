namespace EmbedRec.Tensors.Nn;

/// <summary>
/// Weight initializers with PyTorch's definitions of fan-in and fan-out: for a [out, in]
/// matrix fan_in = in, fan_out = out; for a convolution [O, C, kh, kw], fan_in = C·kh·kw and
/// fan_out = O·kh·kw. Each fills the tensor in place from an explicit <see cref="Rng"/>.
/// </summary>
public static class Init
{
    /// <summary>(fan_in, fan_out) of a weight tensor.</summary>
    public static (int FanIn, int FanOut) Fans(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (t.Rank < 2) throw new ArgumentException($"Fan-in and fan-out need a tensor of rank ≥ 2, got {t.Describe()}.");
        int receptive = 1;
        for (int i = 2; i < t.Rank; i++) receptive *= t.Dim(i);
        return (t.Dim(1) * receptive, t.Dim(0) * receptive);
    }

    /// <summary>N(0, gain²·2/(fan_in + fan_out)).</summary>
    public static Tensor XavierNormal(Tensor t, Rng rng, float gain = 1f)
    {
        var (fi, fo) = Fans(t);
        return Normal(t, rng, 0f, gain * MathF.Sqrt(2f / (fi + fo)));
    }

    /// <summary>U(−a, a) with a = gain·√(6/(fan_in + fan_out)).</summary>
    public static Tensor XavierUniform(Tensor t, Rng rng, float gain = 1f)
    {
        var (fi, fo) = Fans(t);
        float a = gain * MathF.Sqrt(6f / (fi + fo));
        return Uniform(t, rng, -a, a);
    }

    /// <summary>N(0, 2/fan_in) (He initialization for ReLU, PyTorch's kaiming_normal_ with mode fan_in).</summary>
    public static Tensor KaimingNormal(Tensor t, Rng rng, bool fanOut = false)
    {
        var (fi, fo) = Fans(t);
        return Normal(t, rng, 0f, MathF.Sqrt(2f / (fanOut ? fo : fi)));
    }

    /// <summary>U(−1/√fan_in, 1/√fan_in): PyTorch's default for Linear and Conv weights (kaiming_uniform with a = √5).</summary>
    public static Tensor DefaultUniform(Tensor t, Rng rng, int fanIn)
    {
        float b = fanIn > 0 ? 1f / MathF.Sqrt(fanIn) : 0f;
        return Uniform(t, rng, -b, b);
    }

    /// <summary>N(mean, std²).</summary>
    public static Tensor Normal(Tensor t, Rng rng, float mean = 0f, float std = 1f)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(rng);
        rng.FillNormal(t.Span, mean, std);
        return t;
    }

    /// <summary>U[low, high).</summary>
    public static Tensor Uniform(Tensor t, Rng rng, float low, float high)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(rng);
        rng.FillUniform(t.Span, low, high);
        return t;
    }

    /// <summary>All zeros.</summary>
    public static Tensor Zeros(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        t.Span.Clear();
        return t;
    }
}
