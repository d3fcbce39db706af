namespace EmbedRec.Tensors.Nn;

/// <summary>Activation of a position-wise feed-forward network.</summary>
public enum Activation
{
    /// <summary>max(x, 0).</summary>
    Relu,

    /// <summary>Exact (erf) GELU.</summary>
    Gelu,
}

/// <summary>Position-wise feed-forward network: linear2(dropout(act(linear1(x)))).</summary>
public sealed class FeedForward : Module
{
    private readonly Dropout _dropout;

    /// <summary>Creates the network d → hidden → d.</summary>
    public FeedForward(int dim, int hidden, Rng rng, Activation activation = Activation.Relu, float dropout = 0f)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Activation = activation;
        Linear1 = RegisterModule("linear1", new Linear(dim, hidden, rng));
        Linear2 = RegisterModule("linear2", new Linear(hidden, dim, rng));
        _dropout = RegisterModule("dropout", new Dropout(dropout, rng.Fork()));
    }

    /// <summary>The hidden activation.</summary>
    public Activation Activation { get; }

    /// <summary>d → hidden.</summary>
    public Linear Linear1 { get; }

    /// <summary>hidden → d.</summary>
    public Linear Linear2 { get; }

    /// <summary>x [..., d] → [..., d].</summary>
    public Tensor Forward(Tensor x)
    {
        var h = Linear1.Forward(x);
        h = Activation == Activation.Gelu ? Ops.Gelu(h) : Ops.Relu(h);
        return Linear2.Forward(_dropout.Forward(h));
    }
}
