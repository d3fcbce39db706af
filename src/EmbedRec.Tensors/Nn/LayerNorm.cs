namespace EmbedRec.Tensors.Nn;

/// <summary>Layer normalization over the last axis with learned scale and shift (PyTorch's nn.LayerNorm).</summary>
public sealed class LayerNorm : Module
{
    /// <summary>Creates the layer; γ = 1, β = 0.</summary>
    public LayerNorm(int dim, float eps = 1e-5f)
    {
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), dim, "LayerNorm needs a positive dimension.");
        Eps = eps;
        Weight = RegisterParameter("weight", Tensor.Ones(dim));
        Bias = RegisterParameter("bias", Tensor.Zeros(dim));
    }

    /// <summary>ε added to the variance.</summary>
    public float Eps { get; }

    /// <summary>γ [dim].</summary>
    public Tensor Weight { get; }

    /// <summary>β [dim].</summary>
    public Tensor Bias { get; }

    /// <summary>Normalizes x [..., dim].</summary>
    public Tensor Forward(Tensor x) => Ops.LayerNorm(x, Weight, Bias, Eps);
}
