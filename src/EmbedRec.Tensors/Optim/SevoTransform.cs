using EmbedRec.Tensors.Sparse;

namespace EmbedRec.Tensors.Optim;

/// <summary>Which form of the SEvo smoothing transform to apply.</summary>
public enum SevoVariant
{
    /// <summary>ψ̂(Δ) = (1−β)/(1−β^{L+1}) · Σ_{l=0..L} β^l Ã^l Δ (the default; SPEC §3.1).</summary>
    RescaledNeumann,

    /// <summary>(1−β)·Σ_{l=0..L} β^l Ã^l Δ, the series without the 1/(1−β^{L+1}) rescaling (ablation); its largest eigenvalue is 1 − β^{L+1}.</summary>
    Neumann,

    /// <summary>L iterations of s ← βÃs + (1−β)Δ from s = Δ (ablation; loses direction-awareness for β ≥ 1/2 on bipartite graphs).</summary>
    Iterative,
}

/// <summary>Options of SEvo (Structure-aware Embedding Evolution, NeurIPS 2024 and its journal version).</summary>
public sealed record SevoOptions
{
    /// <summary>Smoothing strength β ∈ [0, 1); the papers' default 0.99.</summary>
    public float Beta { get; init; } = 0.99f;

    /// <summary>Layers L of the truncated series (≥ 0); the papers' default 3.</summary>
    public int Layers { get; init; } = 3;

    /// <summary>Transform form.</summary>
    public SevoVariant Variant { get; init; } = SevoVariant.RescaledNeumann;

    /// <summary>SEvo-AdamW's moment-estimate correction for rows with zero gradient (SPEC §3.2 step 2).</summary>
    public bool MomentCorrection { get; init; } = true;

    /// <summary>Throws naming the bad value.</summary>
    public void Validate()
    {
        if (!(Beta >= 0f && Beta < 1f)) throw new ArgumentOutOfRangeException(nameof(Beta), Beta, "SEvo's β must be in [0, 1).");
        if (Layers < 0) throw new ArgumentOutOfRangeException(nameof(Layers), Layers, "SEvo's number of layers L must be ≥ 0.");
    }
}

/// <summary>
/// The SEvo transform ψ̂ over a normalized graph Ã = D^-½ A D^-½ (degree-0 rows zero):
/// f ← Δ, s ← Δ; L times: f ← βÃf, s ← s + f; return s·(1−β)/(1−β^{L+1}). A node without neighbours is
/// only scaled by that factor (≈ 0.254 at β = 0.99, L = 3), as in the authors' code.
/// </summary>
public sealed class SevoTransform
{
    /// <summary>Creates the transform; the graph must already be normalized.</summary>
    public SevoTransform(CsrMatrix<float> normalizedGraph, SevoOptions options)
    {
        ArgumentNullException.ThrowIfNull(normalizedGraph);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (normalizedGraph.RowCount != normalizedGraph.ColumnCount)
            throw new ArgumentException($"SEvo needs a square graph, got {normalizedGraph.RowCount}×{normalizedGraph.ColumnCount}.");
        Graph = normalizedGraph;
        Options = options;
    }

    /// <summary>Ã.</summary>
    public CsrMatrix<float> Graph { get; }

    /// <summary>The options.</summary>
    public SevoOptions Options { get; }

    /// <summary>Nodes (rows of Δ).</summary>
    public int Nodes => Graph.RowCount;

    /// <summary>The rescaling factor (1−β)/(1−β^{L+1}) of the default variant.</summary>
    public float Scale => Options.Beta == 0f ? 1f : (1f - Options.Beta) / (1f - MathF.Pow(Options.Beta, Options.Layers + 1));

    /// <summary>
    /// Writes ψ̂(Δ) for Δ [Nodes × width] into <paramref name="output"/> (which may not alias Δ). One call at a time per
    /// transform: it reuses a buffer of row flags (an optimizer applies its groups one after another).
    /// </summary>
    public void Apply(ReadOnlySpan<float> delta, Span<float> output, int width)
    {
        if (delta.Length != Nodes * width || output.Length != delta.Length)
            throw new ArgumentException($"SEvo: Δ of {delta.Length} and output of {output.Length} floats do not match a graph of {Nodes} nodes × width {width}.");
        float beta = Options.Beta;
        int n = delta.Length;
        int layers = beta == 0f ? 0 : Options.Layers;
        if (layers == 0)
        {
            // ψ̂ = I (β = 0 or L = 0); the iterative form with L = 0 is the identity too.
            float k = Options.Variant == SevoVariant.Iterative ? 1f : Options.Variant == SevoVariant.RescaledNeumann ? Scale : 1f - beta;
            TensorPrimitives.Multiply(delta, k, output);
            return;
        }
        var f = System.Buffers.ArrayPool<float>.Shared.Rent(n);
        var g = System.Buffers.ArrayPool<float>.Shared.Rent(n);
        try
        {
            // Each layer is one fused SpMM, y = β·Ã·x + γ·Δ:
            //   iterative:  s ← βÃs + (1−β)Δ from s = Δ;
            //   Neumann:    Horner's rule, x ← βÃx + Δ from x = Δ, then × (1−β) (or × the rescaling factor),
            //               folded into the last layer: out = k·βÃx + k·Δ.
            bool iterative = Options.Variant == SevoVariant.Iterative;
            float k = iterative ? 1f : Options.Variant == SevoVariant.RescaledNeumann ? Scale : 1f - beta;
            float gamma = iterative ? 1f - beta : 1f;
            ReadOnlySpan<float> x = delta;
            // An SGD step without weight decay moves only the rows its batch touched, so Δ is mostly zero rows: the first
            // layer then gathers only those (the same bits). Later layers have spread to their neighbours and run in full.
            var nonZero = SparseRows(delta, width);
            for (int l = 0; l < layers; l++)
            {
                bool last = l == layers - 1;
                var y = last ? output : (l % 2 == 0 ? f.AsSpan(0, n) : g.AsSpan(0, n));
                Graph.MultiplyAdd(x, y, width, last ? k * beta : beta, delta, last ? k * gamma : gamma, l == 0 ? nonZero : null);
                x = y;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(f);
            System.Buffers.ArrayPool<float>.Shared.Return(g);
        }
    }

    /// <summary>At most this share of Δ's rows non-zero makes the first layer skip the zero rows (below it, skipping wins).</summary>
    internal const double SparseShare = 0.25;

    /// <summary>Which rows of Δ hold a non-zero (NaN counts), when few enough of them do to skip the rest; else null.</summary>
    internal bool[]? SparseRows(ReadOnlySpan<float> delta, int width)
    {
        if (_rowFlags is null || _rowFlags.Length != Nodes) _rowFlags = new bool[Nodes];
        int count = 0, limit = (int)(SparseShare * Nodes);
        // As bits: a row is zero when every value is +0 or -0 (the bits without the sign are 0); NaN and every other
        // value count as non-zero. 16 lanes at a time where the width allows.
        var bits = System.Runtime.InteropServices.MemoryMarshal.Cast<float, uint>(delta);
        bool wide = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && width % 16 == 0;
        for (int r = 0; r < Nodes; r++)
        {
            var row = bits.Slice(r * width, width);
            bool any = false;
            if (wide)
            {
                var acc = System.Runtime.Intrinsics.Vector512<uint>.Zero;
                for (int c = 0; c < width; c += 16) acc |= System.Runtime.Intrinsics.Vector512.Create(row.Slice(c, 16)) << 1;
                any = acc != System.Runtime.Intrinsics.Vector512<uint>.Zero;
            }
            else
                foreach (uint b in row) if ((b << 1) != 0) { any = true; break; }
            _rowFlags[r] = any;
            if (any && ++count > limit) return null;
        }
        return _rowFlags;
    }

    private bool[]? _rowFlags;
}
