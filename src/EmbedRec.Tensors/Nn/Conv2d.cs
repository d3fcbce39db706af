namespace EmbedRec.Tensors.Nn;

/// <summary>2-D convolution (PyTorch's nn.Conv2d with square kernels, default initialization U(±1/√fan_in)).</summary>
public sealed class Conv2d : Module
{
    /// <summary>Creates the layer.</summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, Rng rng, int stride = 1, int padding = 0, bool bias = true)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (inChannels <= 0 || outChannels <= 0 || kernelSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(kernelSize), $"Conv2d needs positive sizes, got {inChannels}→{outChannels}, kernel {kernelSize}.");
        Stride = stride;
        Padding = padding;
        int fanIn = inChannels * kernelSize * kernelSize;
        Weight = RegisterParameter("weight", Init.DefaultUniform(Tensor.Zeros(outChannels, inChannels, kernelSize, kernelSize), rng, fanIn));
        if (bias) Bias = RegisterParameter("bias", Init.DefaultUniform(Tensor.Zeros(outChannels), rng, fanIn));
    }

    /// <summary>Stride in both directions.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on every side.</summary>
    public int Padding { get; }

    /// <summary>[O, C, k, k].</summary>
    public Tensor Weight { get; }

    /// <summary>[O] or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>x [N, C, H, W] → [N, O, Ho, Wo].</summary>
    public Tensor Forward(Tensor x) => Ops.Conv2d(x, Weight, Bias, Stride, Stride, Padding, Padding);
}
