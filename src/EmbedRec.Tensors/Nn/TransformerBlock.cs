namespace EmbedRec.Tensors.Nn;

/// <summary>
/// A transformer encoder block. Pre-LN: x + drop(attn(LN₁(x))), then + drop(ffn(LN₂(·))).
/// Post-LN (the original and BERT's): LN₁(x + drop(attn(x))), then LN₂(· + drop(ffn(·))).
/// </summary>
public sealed class TransformerBlock : Module
{
    private readonly Dropout _drop1, _drop2;

    /// <summary>Creates the block.</summary>
    public TransformerBlock(int dim, int heads, int ffnHidden, Rng rng, bool preNorm = true, float dropout = 0f,
        Activation activation = Activation.Relu, float eps = 1e-5f)
    {
        ArgumentNullException.ThrowIfNull(rng);
        PreNorm = preNorm;
        SelfAttention = RegisterModule("self_attn", new MultiheadAttention(dim, heads, rng, dropout));
        Norm1 = RegisterModule("norm1", new LayerNorm(dim, eps));
        Norm2 = RegisterModule("norm2", new LayerNorm(dim, eps));
        Ffn = RegisterModule("ffn", new FeedForward(dim, ffnHidden, rng, activation, dropout));
        _drop1 = RegisterModule("dropout1", new Dropout(dropout, rng.Fork()));
        _drop2 = RegisterModule("dropout2", new Dropout(dropout, rng.Fork()));
    }

    /// <summary>True for pre-LN, false for post-LN.</summary>
    public bool PreNorm { get; }

    /// <summary>The attention sub-layer.</summary>
    public MultiheadAttention SelfAttention { get; }

    /// <summary>First layer norm.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>Second layer norm.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>The feed-forward sub-layer.</summary>
    public FeedForward Ffn { get; }

    /// <summary>x [B, T, d] → [B, T, d].</summary>
    public Tensor Forward(Tensor x, bool causal = false, bool[]? keyPadding = null)
    {
        if (PreNorm)
        {
            x = Ops.Add(x, _drop1.Forward(SelfAttention.Forward(Norm1.Forward(x), causal, keyPadding)));
            return Ops.Add(x, _drop2.Forward(Ffn.Forward(Norm2.Forward(x))));
        }
        x = Norm1.Forward(Ops.Add(x, _drop1.Forward(SelfAttention.Forward(x, causal, keyPadding))));
        return Norm2.Forward(Ops.Add(x, _drop2.Forward(Ffn.Forward(x))));
    }
}
