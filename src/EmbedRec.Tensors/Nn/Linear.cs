namespace EmbedRec.Tensors.Nn;

/// <summary>y = x·Wᵀ + b over the last axis; PyTorch's nn.Linear, with its default initialization U(±1/√in).</summary>
public sealed class Linear : Module
{
    /// <summary>Creates the layer.</summary>
    public Linear(int inFeatures, int outFeatures, Rng rng, bool bias = true)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (inFeatures <= 0 || outFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(inFeatures), $"Linear needs positive sizes, got {inFeatures}→{outFeatures}.");
        Weight = RegisterParameter("weight", Init.DefaultUniform(Tensor.Zeros(outFeatures, inFeatures), rng, inFeatures));
        if (bias) Bias = RegisterParameter("bias", Init.DefaultUniform(Tensor.Zeros(outFeatures), rng, inFeatures));
    }

    /// <summary>[out, in].</summary>
    public Tensor Weight { get; }

    /// <summary>[out] or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>x [..., in] → [..., out].</summary>
    public Tensor Forward(Tensor x) => Ops.Linear(x, Weight, Bias);
}
