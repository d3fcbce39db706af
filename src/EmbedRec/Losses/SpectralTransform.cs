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
    /// The static Γ of a batch of nodes: τ₀ for pairs within graph distance 2 of the training interactions
    /// (the same node, users sharing an item, or items sharing a user), τ₁ otherwise. Built per batch from
    /// the nodes' sorted neighbour sets, never as a dense all-nodes matrix.
    /// </summary>
    public static Tensor StaticGamma(ReadOnlySpan<int> nodes, UserItems neighbours, float tau0, float tau1)
    {
        ArgumentNullException.ThrowIfNull(neighbours);
        if (!(tau0 > 0) || !(tau1 > 0)) throw new ArgumentOutOfRangeException(nameof(tau0), $"τ₀ and τ₁ must be positive, got {tau0} and {tau1}.");
        int b = nodes.Length;
        var g = new float[b * b];
        for (int i = 0; i < b; i++)
        {
            var ni = neighbours.Of(nodes[i]);
            g[i * b + i] = tau0;
            for (int j = i + 1; j < b; j++)
            {
                float v = nodes[i] == nodes[j] || Intersects(ni, neighbours.Of(nodes[j])) ? tau0 : tau1;
                g[i * b + j] = v;
                g[j * b + i] = v;
            }
        }
        return Tensor.FromArray(g, b, b);
    }

    private static bool Intersects(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j]) return true;
            if (a[i] < b[j]) i++; else j++;
        }
        return false;
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
