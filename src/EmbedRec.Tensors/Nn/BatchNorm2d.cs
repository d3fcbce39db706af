namespace EmbedRec.Tensors.Nn;

/// <summary>Batch normalization of [N, C, H, W] per channel (PyTorch's nn.BatchNorm2d; running statistics are buffers).</summary>
public sealed class BatchNorm2d : Module
{
    /// <summary>Creates the layer; γ = 1, β = 0, running mean 0 and variance 1.</summary>
    public BatchNorm2d(int channels, float eps = 1e-5f, float momentum = 0.1f)
    {
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels), channels, "BatchNorm2d needs a positive channel count.");
        Eps = eps;
        Momentum = momentum;
        Weight = RegisterParameter("weight", Tensor.Ones(channels));
        Bias = RegisterParameter("bias", Tensor.Zeros(channels));
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(channels));
        RunningVar = RegisterBuffer("running_var", Tensor.Ones(channels));
    }

    /// <summary>ε added to the variance.</summary>
    public float Eps { get; }

    /// <summary>Weight of the newest batch in the running statistics.</summary>
    public float Momentum { get; }

    /// <summary>γ [C].</summary>
    public Tensor Weight { get; }

    /// <summary>β [C].</summary>
    public Tensor Bias { get; }

    /// <summary>Running mean [C].</summary>
    public Tensor RunningMean { get; }

    /// <summary>Running (unbiased) variance [C].</summary>
    public Tensor RunningVar { get; }

    /// <summary>Normalizes with batch statistics in training mode, running statistics in evaluation mode.</summary>
    public Tensor Forward(Tensor x) => Ops.BatchNorm2d(x, Weight, Bias, RunningMean, RunningVar, Training, Momentum, Eps);
}
