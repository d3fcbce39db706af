namespace EmbedRec.Tensors.Nn;

/// <summary>Inverted dropout, active only in training mode; its randomness comes from the <see cref="Rng"/> it was given.</summary>
public sealed class Dropout : Module
{
    private readonly Rng _rng;

    /// <summary>Creates the layer.</summary>
    public Dropout(float p, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (p < 0f || p >= 1f) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must be in [0, 1).");
        P = p;
        _rng = rng;
    }

    /// <summary>Probability of zeroing an element.</summary>
    public float P { get; }

    /// <summary>Applies dropout in training mode, the identity in evaluation mode.</summary>
    public Tensor Forward(Tensor x) => Ops.Dropout(x, P, _rng, Training);
}
