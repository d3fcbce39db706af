using EmbedRec.Data;
using EmbedRec.Tensors;

namespace EmbedRec.Losses;

/// <summary>
/// DirectSpec's batch spectral transforms (Peng et al., "Towards Embedding Collapse in Recommendation: A
/// Spectral Perspective", <c>../shared/papers/directspec.md</c>; SPEC §4), differentiable steps inside the
/// forward pass over a batch H [B, d] of (row-normalized) embeddings.
/// </summary>
public static class SpectralTransform
{
    /// <summary>DirectSpec: H − α·H·Hᵀ·H, computed as H − α·H·(HᵀH) (cost B·d²).</summary>
    public static Tensor DirectSpec(Tensor h, float alpha)
    {
        Check(h, alpha);
        return Ops.Sub(h, Ops.MulScalar(Ops.MatMul(h, Ops.MatMul(h, h, transA: true)), alpha));
    }

    /// <summary>
    /// DirectSpec+: H − α·softmax_row((H·Hᵀ) ⊙ Γ)·H with the diagonal included; Γ is [B, B] (constant τ,
    /// the static τ₀/τ₁ mask, or learned). Γ multiplies, as in the authors' code.
    /// </summary>
    public static Tensor DirectSpecPlus(Tensor h, float alpha, Tensor gamma)
    {
        Check(h, alpha);
        ArgumentNullException.ThrowIfNull(gamma);
        int b = h.Dim(0);
        if (gamma.Rank != 2 || gamma.Dim(0) != b || gamma.Dim(1) != b)
            throw new ArgumentException($"DirectSpec+: Γ {gamma.ShapeString} must be [{b}, {b}] for a batch of {b} rows.");
        var attention = Ops.Softmax(Ops.Mul(Ops.MatMul(h, h, transB: true), gamma));
        return Ops.Sub(h, Ops.MulScalar(Ops.MatMul(attention, h), alpha));
    }

    /// <summary>
    /// DirectSpec+ with a constant Γ = τ: H − α·softmax_row(τ·HHᵀ)·H, without materializing the B×B Γ
    /// (equal to <see cref="DirectSpecPlus(Tensor, float, Tensor)"/> with <see cref="ConstantGamma"/>).
    /// </summary>
    public static Tensor DirectSpecPlus(Tensor h, float alpha, float tau)
    {
        Check(h, alpha);
        if (!(tau > 0)) throw new ArgumentOutOfRangeException(nameof(tau), tau, "τ must be positive.");
        var attention = Ops.Softmax(Ops.MulScalar(Ops.MatMul(h, h, transB: true), tau));
        return Ops.Sub(h, Ops.MulScalar(Ops.MatMul(attention, h), alpha));
    }

    /// <summary>A constant Γ = τ.</summary>
    public static Tensor ConstantGamma(int batch, float tau)
    {
        if (!(tau > 0)) throw new ArgumentOutOfRangeException(nameof(tau), tau, "τ must be positive.");
        return Tensor.Full(tau, batch, batch);
    }

    /// <summary>
    /// The learned Γ of the paper's dynamic design: a temperature t_uv = σ(wᵀ[h_u ∥ h_v]) that divides the
    /// similarities (paper Eq. 20, exp(h_uᵀh_v / τ)), so Γ_uv = 1 / t_uv = 1 + exp(−(w₁ᵀh_u + w₂ᵀh_v)) ≥ 1,
    /// an outer sum of two projections of H [B, d] by w [2d]. (Multiplying by σ itself, in (0, 1), makes
    /// the softmax nearly uniform, the step a mere centring, and positive-only training collapses.)
    /// </summary>
    public static Tensor LearnedGamma(Tensor h, Tensor w)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(w);
        if (h.Rank != 2) throw new ArgumentException($"Learned Γ needs a batch [B, d], got {h.ShapeString}.");
        int b = h.Dim(0), d = h.Dim(1);
        if (w.Rank != 1 || w.Dim(0) != 2 * d) throw new ArgumentException($"Learned Γ: w {w.ShapeString} must be [{2 * d}] for rows of width {d}.");
        var a = Ops.MatMul(h, Ops.Reshape(Ops.Slice(w, 0, 0, d), d, 1));                  // [B, 1]
        var c = Ops.Reshape(Ops.MatMul(h, Ops.Reshape(Ops.Slice(w, 0, d, d), d, 1)), 1, b); // [1, B]
        return Ops.AddScalar(Ops.Exp(Ops.Neg(Ops.Add(a, c))), 1f);
    }

    /// <summary>
    /// The static Γ of a batch of nodes: τ₀ for pairs within graph distance 2 of the training interactions
    /// (the same node, users sharing an item, or items sharing a user), τ₁ otherwise. Built per batch, never
    /// as a dense all-nodes matrix: each neighbour gets a bitset of the batch rows that have it, and row i's
    /// τ₀ set is the union of its neighbours' bitsets, so the cost is Σ deg(i)·B/64 word operations
    /// (the pairwise intersection of neighbour lists it replaces cost Σ_ij deg(i) + deg(j)).
    /// </summary>
    public static Tensor StaticGamma(ReadOnlySpan<int> nodes, UserItems neighbours, float tau0, float tau1)
    {
        ArgumentNullException.ThrowIfNull(neighbours);
        if (!(tau0 > 0) || !(tau1 > 0)) throw new ArgumentOutOfRangeException(nameof(tau0), $"τ₀ and τ₁ must be positive, got {tau0} and {tau1}.");
        int b = nodes.Length, words = (b + 63) >> 6, edges = 0;
        foreach (int node in nodes)
        {
            if ((uint)node >= (uint)neighbours.UserCount)
                throw new ArgumentOutOfRangeException(nameof(nodes), node, $"Static Γ: node {node} is outside the graph's {neighbours.UserCount} nodes.");
            edges += neighbours.Of(node).Length;
        }

        // One bitset (flat, `words` ulongs) per distinct neighbour and per distinct batch node (for duplicates);
        // each row's bitset offsets are kept in CSR order so the union pass needs no second lookup.
        var neighbourSlot = new Dictionary<int, int>(edges);
        var nodeSlot = new Dictionary<int, int>(b);
        var masks = new ulong[(edges + b) * words];
        int slots = 0;
        int SlotOf(Dictionary<int, int> map, int key)
        {
            if (!map.TryGetValue(key, out int slot)) map[key] = slot = slots++;
            return slot * words;
        }
        var rowStart = new int[b + 1];
        var rowMasks = new int[edges + b];
        for (int i = 0, k = 0; i < b; i++)
        {
            ulong bit = 1UL << (i & 63);
            rowStart[i] = k;
            masks[(rowMasks[k++] = SlotOf(nodeSlot, nodes[i])) + (i >> 6)] |= bit;
            foreach (int n in neighbours.Of(nodes[i])) masks[(rowMasks[k++] = SlotOf(neighbourSlot, n)) + (i >> 6)] |= bit;
            rowStart[i + 1] = k;
        }

        var g = new float[b * b];
        var row = new ulong[words];
        for (int i = 0; i < b; i++)
        {
            Array.Clear(row);
            for (int k = rowStart[i]; k < rowStart[i + 1]; k++)
            {
                var m = masks.AsSpan(rowMasks[k], words);
                for (int w = 0; w < words; w++) row[w] |= m[w];
            }
            var gi = g.AsSpan(i * b, b);
            for (int j = 0; j < b; j++) gi[j] = (row[j >> 6] >> (j & 63) & 1UL) != 0 ? tau0 : tau1;
        }
        return Tensor.FromArray(g, b, b);
    }

    /// <summary>The optional norm shrink x ← x·(s‖x‖) (SPEC §4), row-wise.</summary>
    public static Tensor NormShrink(Tensor h, float s)
    {
        ArgumentNullException.ThrowIfNull(h);
        if (!(s > 0)) throw new ArgumentOutOfRangeException(nameof(s), s, "The shrink factor must be positive.");
        var norms = Ops.Sqrt(Ops.AddScalar(Ops.Sum(Ops.Mul(h, h), -1, keepDim: true), 1e-12f));
        return Ops.Mul(h, Ops.MulScalar(norms, s));
    }

    private static void Check(Tensor h, float alpha)
    {
        ArgumentNullException.ThrowIfNull(h);
        if (h.Rank != 2) throw new ArgumentException($"The spectral transform needs a batch [B, d], got {h.ShapeString}.");
        if (h.Dim(0) < 2) throw new ArgumentException($"The spectral transform needs a batch of at least 2 rows, got {h.Dim(0)}.");
        if (!(alpha > 0)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must be positive.");
    }
}
