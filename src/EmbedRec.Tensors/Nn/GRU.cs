namespace EmbedRec.Tensors.Nn;

/// <summary>
/// A single-layer, batch-first gated recurrent unit with PyTorch's equations, parameter names
/// (<c>weight_ih_l0</c> [3H, I], <c>weight_hh_l0</c> [3H, H], gates ordered r, z, n) and
/// initialization U(±1/√H):
/// r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
/// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
/// </summary>
public sealed class GRU : Module
{
    /// <summary>Creates the layer.</summary>
    public GRU(int inputSize, int hiddenSize, Rng rng, bool bias = true)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (inputSize <= 0 || hiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenSize), $"GRU needs positive sizes, got {inputSize}→{hiddenSize}.");
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        float k = 1f / MathF.Sqrt(hiddenSize);
        WeightIh = RegisterParameter("weight_ih_l0", Init.Uniform(Tensor.Zeros(3 * hiddenSize, inputSize), rng, -k, k));
        WeightHh = RegisterParameter("weight_hh_l0", Init.Uniform(Tensor.Zeros(3 * hiddenSize, hiddenSize), rng, -k, k));
        if (bias)
        {
            BiasIh = RegisterParameter("bias_ih_l0", Init.Uniform(Tensor.Zeros(3 * hiddenSize), rng, -k, k));
            BiasHh = RegisterParameter("bias_hh_l0", Init.Uniform(Tensor.Zeros(3 * hiddenSize), rng, -k, k));
        }
    }

    /// <summary>Input features per step.</summary>
    public int InputSize { get; }

    /// <summary>Hidden units.</summary>
    public int HiddenSize { get; }

    /// <summary>[3H, I].</summary>
    public Tensor WeightIh { get; }

    /// <summary>[3H, H].</summary>
    public Tensor WeightHh { get; }

    /// <summary>[3H] or null.</summary>
    public Tensor? BiasIh { get; }

    /// <summary>[3H] or null.</summary>
    public Tensor? BiasHh { get; }

    /// <summary>
    /// Runs the sequence x [B, T, I] from h0 [B, H] (zeros when null); returns every step's
    /// hidden state [B, T, H] and the last one [B, H].
    /// </summary>
    public (Tensor Output, Tensor Last) Forward(Tensor x, Tensor? h0 = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 3 || x.Dim(2) != InputSize)
            throw new ArgumentException($"GRU: input must be [B, T, {InputSize}], got {x.Describe()}.");
        int b = x.Dim(0), t = x.Dim(1), h = HiddenSize;
        if (h0 is not null && (h0.Rank != 2 || h0.Dim(0) != b || h0.Dim(1) != h))
            throw new ArgumentException($"GRU: initial state must be [{b}, {h}], got {h0.Describe()}.");
        var gi = Ops.Linear(x, WeightIh, BiasIh); // [B, T, 3H]
        var state = h0 ?? Tensor.Zeros(b, h);
        var steps = new Tensor[t];
        for (int s = 0; s < t; s++)
        {
            var gx = Ops.Reshape(Ops.Slice(gi, 1, s, 1), b, 3 * h); // [B, 3H]
            var gh = Ops.Linear(state, WeightHh, BiasHh);           // [B, 3H]
            var r = Ops.Sigmoid(Ops.Add(Ops.Slice(gx, 1, 0, h), Ops.Slice(gh, 1, 0, h)));
            var z = Ops.Sigmoid(Ops.Add(Ops.Slice(gx, 1, h, h), Ops.Slice(gh, 1, h, h)));
            var n = Ops.Tanh(Ops.Add(Ops.Slice(gx, 1, 2 * h, h), Ops.Mul(r, Ops.Slice(gh, 1, 2 * h, h))));
            state = Ops.Add(n, Ops.Mul(z, Ops.Sub(state, n)));
            steps[s] = Ops.Reshape(state, b, 1, h);
        }
        var output = t == 1 ? steps[0] : Ops.Concat(steps, 1);
        return (output, state);
    }
}
