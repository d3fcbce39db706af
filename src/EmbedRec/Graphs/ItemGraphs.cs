using EmbedRec.Data;
using EmbedRec.Tensors.Sparse;

namespace EmbedRec.Graphs;

/// <summary>Options of the co-occurrence graph (the SEvo papers' Algorithm 4).</summary>
public sealed record CoOccurrenceOptions
{
    /// <summary>Items taken from each sequence (K); null = the whole sequence (the default: max sequence length).</summary>
    public int? MaxLength { get; init; }

    /// <summary>Take the first K items instead of the last K.</summary>
    public bool First { get; init; }

    /// <summary>Maximum path length H between related items (1 = consecutive).</summary>
    public int MaxDistance { get; init; } = 1;

    /// <summary>Weight pairs by 1/h (distance) instead of 1 (frequency); equal at H = 1.</summary>
    public bool DistanceWeighting { get; init; } = true;
}

/// <summary>
/// Graphs for SEvo and other structure-aware methods, built from training interactions only (pass the
/// training part of a split). All are symmetric and unnormalized; normalize with
/// <see cref="CsrMatrix{T}.SymmetricNormalize"/> (degree-0 rows stay zero).
/// </summary>
public static class ItemGraphs
{
    /// <summary>
    /// Item–item co-occurrence in users' chronological training sequences: for each sequence (its last or
    /// first K items), every pair at distance h ≤ H adds 1 (frequency) or 1/h (distance) to A[x, y] and
    /// A[y, x]. Self pairs from repeated items are kept.
    /// </summary>
    public static CsrMatrix<float> CoOccurrence(InteractionLog train, CoOccurrenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        var o = options ?? new CoOccurrenceOptions();
        if (o.MaxDistance < 1) throw new ArgumentOutOfRangeException(nameof(options), o.MaxDistance, "The maximum path length H must be ≥ 1.");
        if (o.MaxLength is < 1) throw new ArgumentOutOfRangeException(nameof(options), o.MaxLength, "The sequence length K must be ≥ 1.");
        var byUser = train.ByUser();
        var rows = new List<int>(); var cols = new List<int>(); var vals = new List<float>();
        for (int u = 0; u < train.UserCount; u++)
        {
            var seq = byUser.Of(u);
            if (o.MaxLength is { } k && seq.Length > k) seq = o.First ? seq[..k] : seq[^k..];
            for (int i = 0; i + 1 < seq.Length; i++)
                for (int j = i + 1, h = 1; j < Math.Min(i + o.MaxDistance + 1, seq.Length); j++, h++)
                {
                    int x = train.Item[seq[i]], y = train.Item[seq[j]];
                    float w = o.DistanceWeighting ? 1f / h : 1f;
                    rows.Add(x); cols.Add(y); vals.Add(w);
                    rows.Add(y); cols.Add(x); vals.Add(w);
                }
        }
        return CsrMatrix<float>.FromCoo(train.ItemCount, train.ItemCount, rows.ToArray(), cols.ToArray(), vals.ToArray());
    }

    /// <summary>User–item bipartite graph over [users; items], weight 1 per distinct interaction.</summary>
    public static CsrMatrix<float> Bipartite(InteractionLog train)
    {
        ArgumentNullException.ThrowIfNull(train);
        var sets = train.ToUserItems();
        int nu = train.UserCount, n = nu + train.ItemCount, m = sets.PairCount;
        var rows = new int[2 * m]; var cols = new int[2 * m]; var vals = new float[2 * m];
        int k = 0;
        for (int u = 0; u < nu; u++)
            foreach (int i in sets.Of(u))
            {
                rows[k] = u; cols[k] = nu + i; vals[k++] = 1f;
                rows[k] = nu + i; cols[k] = u; vals[k++] = 1f;
            }
        return CsrMatrix<float>.FromCoo(n, n, rows, cols, vals);
    }

    /// <summary>Items sharing at least one category (e.g. a MovieLens genre) get weight 1; no self loops.</summary>
    public static CsrMatrix<float> Category(ItemCategories categories)
    {
        ArgumentNullException.ThrowIfNull(categories);
        int n = categories.ItemCount;
        var members = new List<int>[categories.Names.Count];
        for (int c = 0; c < members.Length; c++) members[c] = [];
        for (int i = 0; i < n; i++) foreach (int c in categories.Of(i)) members[c].Add(i);
        var rows = new List<int>(); var cols = new List<int>();
        var seen = new HashSet<int>();
        for (int i = 0; i < n; i++)
        {
            seen.Clear();
            foreach (int c in categories.Of(i))
                foreach (int j in members[c])
                    if (j != i && seen.Add(j)) { rows.Add(i); cols.Add(j); }
        }
        return CsrMatrix<float>.FromCoo(n, n, rows.ToArray(), cols.ToArray(), Enumerable.Repeat(1f, rows.Count).ToArray());
    }

    /// <summary>
    /// A teacher's K-nearest-neighbour graph for distillation: cosine distance d = 2 − 2cos(e_i, e_j), each
    /// node's K nearest others, w = exp(−d/τ), symmetrized by w_ij + w_ji.
    /// </summary>
    public static CsrMatrix<float> TeacherKnn(ReadOnlySpan<float> embeddings, int dim, int k, float tau)
    {
        if (dim < 1 || embeddings.Length % dim != 0) throw new ArgumentException($"{embeddings.Length} values are not rows of dimension {dim}.");
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "K must be ≥ 1.");
        if (!(tau > 0)) throw new ArgumentOutOfRangeException(nameof(tau), tau, "τ must be > 0.");
        int n = embeddings.Length / dim;
        var unit = embeddings.ToArray();
        for (int i = 0; i < n; i++)
        {
            var r = unit.AsSpan(i * dim, dim);
            float norm = TensorPrimitives.Norm(r);
            if (norm > 0) TensorPrimitives.Divide(r, norm, r);
        }
        var sims = new float[n * n];
        Tensors.Kernels.Blas.Current.Sgemm(false, true, n, n, dim, 1f, unit, dim, unit, dim, 0f, sims, n);
        var rows = new List<int>(); var cols = new List<int>(); var vals = new List<float>();
        var top = new int[Math.Min(k, Math.Max(1, n - 1))];
        var heap = new float[top.Length];
        for (int i = 0; i < n; i++)
        {
            var row = sims.AsSpan(i * n, n);
            row[i] = float.NegativeInfinity;
            int found = Evaluation.TopK.Select(row, top, heap);
            for (int t = 0; t < found; t++)
            {
                float w = MathF.Exp(-(2f - 2f * row[top[t]]) / tau);
                rows.Add(i); cols.Add(top[t]); vals.Add(w);
                rows.Add(top[t]); cols.Add(i); vals.Add(w);
            }
        }
        return CsrMatrix<float>.FromCoo(n, n, rows.ToArray(), cols.ToArray(), vals.ToArray());
    }

    /// <summary>
    /// Smoothness J(X) = tr(Xᵀ(I − Ã)X) = Σ‖x_i‖² − Σ_ij Ã_ij⟨x_i, x_j⟩ for X [nodes × dim] and a normalized Ã;
    /// lower is smoother.
    /// </summary>
    public static double Smoothness(CsrMatrix<float> normalized, ReadOnlySpan<float> x, int dim)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        if (x.Length != normalized.RowCount * dim) throw new ArgumentException($"X of {x.Length} floats does not match {normalized.RowCount} nodes × {dim}.");
        var ax = new float[x.Length];
        normalized.Multiply(x, ax, dim, 0f);
        double j = 0;
        for (int i = 0; i < x.Length; i++) j += (double)x[i] * x[i] - (double)x[i] * ax[i];
        return j;
    }
}
