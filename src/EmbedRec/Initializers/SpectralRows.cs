using EmbedRec.Models;

namespace EmbedRec.Initializers;

/// <summary>Writing computed vectors (row-major [nodes, k]) into tables through their row maps, and the column z-score.</summary>
public static class SpectralRows
{
    /// <summary>The widest table holding users (or items): how many vectors to compute for that side.</summary>
    public static int Width(IReadOnlyList<EmbeddingTable> tables, bool users) =>
        tables.Where(t => (users ? t.UserRows : t.ItemRows) > 0).Select(t => t.Dim).DefaultIfEmpty(0).Max();

    /// <summary>Copies the first <c>t.Dim</c> columns of <paramref name="rows"/> (k columns) into the user or item rows of every table, times <paramref name="scale"/>.</summary>
    public static void Fill(IReadOnlyList<EmbeddingTable> tables, bool users, ReadOnlySpan<float> rows, int k, float scale)
    {
        foreach (var t in tables)
        {
            int first = users ? t.FirstUserRow : t.FirstItemRow, count = users ? t.UserRows : t.ItemRows, d = t.Dim;
            if (count == 0) continue;
            if (rows.Length != count * k)
                throw new InvalidOperationException($"Table '{t.Name}' has {count} {(users ? "user" : "item")} rows; {rows.Length / Math.Max(k, 1)} vectors were computed.");
            var dst = t.Weight.Span;
            for (int i = 0; i < count; i++)
            {
                var row = dst.Slice((first + i) * d, d);
                rows.Slice(i * k, d).CopyTo(row);
                if (scale != 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(row, scale, row);
            }
        }
    }

    /// <summary>
    /// Each column to mean 0 and population standard deviation 1 over the rows not in <paramref name="skip"/>
    /// (scipy's <c>zscore(x, axis=0)</c>, what the Leporid authors feed DLR2), computed in double; skipped rows
    /// (isolated nodes) become 0, the column mean; a constant column (std at most 1e-5 of its largest magnitude, float
    /// rounding) becomes 0, where scipy would give NaN or amplified rounding noise.
    /// </summary>
    public static float[] ZScore(ReadOnlySpan<float> x, int n, int k, IReadOnlySet<int> skip)
    {
        var z = new float[x.Length];
        int m = n - skip.Count;
        for (int j = 0; j < k; j++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) if (!skip.Contains(i)) sum += x[i * k + j];
            double mean = sum / m, ss = 0, largest = 0;
            for (int i = 0; i < n; i++)
                if (!skip.Contains(i)) { double dv = x[i * k + j] - mean; ss += dv * dv; largest = Math.Max(largest, Math.Abs(x[i * k + j])); }
            double sd = Math.Sqrt(ss / m);
            bool constant = !(sd > 1e-5 * largest);
            for (int i = 0; i < n; i++) z[i * k + j] = skip.Contains(i) || constant ? 0f : (float)((x[i * k + j] - mean) / sd);
        }
        return z;
    }

    /// <summary>
    /// Z-scores, in place, the columns of every table's user rows and, separately, of its item rows (<see cref="ZScore"/>
    /// over all rows of that side): what the Leporid authors' DLR2 code does to every pre-computed embedding it loads,
    /// SVD and BPR included (<c>interaction.py</c>, <c>load_emb_file</c> reads the <c>_norm.npy</c> files).
    /// </summary>
    public static void ZScoreTables(IReadOnlyList<EmbeddingTable> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var none = new HashSet<int>();
        foreach (var t in tables)
            foreach (var (first, count) in new[] { (t.FirstUserRow, t.UserRows), (t.FirstItemRow, t.ItemRows) })
            {
                if (count == 0) continue;
                var rows = t.Weight.Span.Slice(first * t.Dim, count * t.Dim);
                ZScore(rows, count, t.Dim, none).CopyTo(rows);
            }
    }
}
