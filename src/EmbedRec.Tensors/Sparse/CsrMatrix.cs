using System.Runtime.Intrinsics;

namespace EmbedRec.Tensors.Sparse;

/// <summary>
/// A compressed-sparse-row matrix of <typeparamref name="T"/> (float for training, double for
/// the eigensolver). Column indices are sorted within each row and unique. Products run in
/// parallel over rows; each output row is computed by one thread, so results are deterministic.
/// </summary>
public sealed class CsrMatrix<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private CsrMatrix<T>? _transpose;

    /// <summary>Creates a matrix from CSR arrays (validated).</summary>
    public CsrMatrix(int rows, int columns, int[] rowPtr, int[] colIdx, T[] values)
    {
        ArgumentNullException.ThrowIfNull(rowPtr);
        ArgumentNullException.ThrowIfNull(colIdx);
        ArgumentNullException.ThrowIfNull(values);
        if (rows < 0 || columns < 0) throw new ArgumentException($"CsrMatrix: negative size {rows}×{columns}.");
        if (rowPtr.Length != rows + 1) throw new ArgumentException($"CsrMatrix: rowPtr has {rowPtr.Length} entries, expected {rows + 1}.");
        if (colIdx.Length != values.Length || rowPtr[rows] != colIdx.Length)
            throw new ArgumentException($"CsrMatrix: {colIdx.Length} column indices, {values.Length} values, rowPtr ends at {rowPtr[rows]}.");
        for (int r = 0; r < rows; r++)
        {
            if (rowPtr[r] > rowPtr[r + 1]) throw new ArgumentException($"CsrMatrix: rowPtr decreases at row {r}.");
            for (int p = rowPtr[r]; p < rowPtr[r + 1]; p++)
            {
                if ((uint)colIdx[p] >= (uint)columns)
                    throw new ArgumentException($"CsrMatrix: column {colIdx[p]} in row {r} is outside [0, {columns}).");
                if (p > rowPtr[r] && colIdx[p] <= colIdx[p - 1])
                    throw new ArgumentException($"CsrMatrix: columns of row {r} are not strictly increasing.");
            }
        }
        RowCount = rows;
        ColumnCount = columns;
        RowPtr = rowPtr;
        ColIdx = colIdx;
        Values = values;
    }

    /// <summary>Number of rows.</summary>
    public int RowCount { get; }

    /// <summary>Number of columns.</summary>
    public int ColumnCount { get; }

    /// <summary>Row start offsets, length RowCount + 1.</summary>
    public int[] RowPtr { get; }

    /// <summary>Column index of each stored entry.</summary>
    public int[] ColIdx { get; }

    /// <summary>Value of each stored entry.</summary>
    public T[] Values { get; }

    /// <summary>Number of stored entries.</summary>
    public int NonZeros => ColIdx.Length;

    /// <summary>
    /// Builds a matrix from coordinate triples; duplicates are summed. Throws naming the first
    /// entry whose row or column is out of range.
    /// </summary>
    public static CsrMatrix<T> FromCoo(int rows, int columns, ReadOnlySpan<int> rowIdx, ReadOnlySpan<int> colIdx, ReadOnlySpan<T> values)
    {
        if (rowIdx.Length != colIdx.Length || rowIdx.Length != values.Length)
            throw new ArgumentException($"FromCoo: {rowIdx.Length} rows, {colIdx.Length} columns and {values.Length} values must have equal length.");
        for (int e = 0; e < rowIdx.Length; e++)
            if ((uint)rowIdx[e] >= (uint)rows || (uint)colIdx[e] >= (uint)columns)
                throw new ArgumentOutOfRangeException(nameof(rowIdx), $"FromCoo: entry {e} at ({rowIdx[e]}, {colIdx[e]}) is outside a {rows}×{columns} matrix.");
        var counts = new int[rows + 1];
        foreach (int r in rowIdx) counts[r + 1]++;
        for (int r = 0; r < rows; r++) counts[r + 1] += counts[r];
        var fill = (int[])counts.Clone();
        var cols = new int[rowIdx.Length];
        var vals = new T[rowIdx.Length];
        for (int e = 0; e < rowIdx.Length; e++)
        {
            int at = fill[rowIdx[e]]++;
            cols[at] = colIdx[e];
            vals[at] = values[e];
        }
        // Sort each row by column and merge duplicates.
        var outPtr = new int[rows + 1];
        int w = 0;
        for (int r = 0; r < rows; r++)
        {
            int s = counts[r], len = counts[r + 1] - s;
            Array.Sort(cols, vals, s, len);
            int rowStart = w;
            for (int p = s; p < s + len; p++)
            {
                if (w > rowStart && cols[w - 1] == cols[p]) vals[w - 1] += vals[p];
                else { cols[w] = cols[p]; vals[w] = vals[p]; w++; }
            }
            outPtr[r + 1] = w;
        }
        Array.Resize(ref cols, w);
        Array.Resize(ref vals, w);
        return new CsrMatrix<T>(rows, columns, outPtr, cols, vals);
    }

    /// <summary>Builds an n×n matrix from edges with weight 1 (or <paramref name="weights"/>); symmetric adds both directions.</summary>
    public static CsrMatrix<T> FromEdges(int n, ReadOnlySpan<(int From, int To)> edges, ReadOnlySpan<T> weights = default, bool symmetric = false)
    {
        int m = edges.Length * (symmetric ? 2 : 1);
        var r = new int[m];
        var c = new int[m];
        var v = new T[m];
        int k = 0;
        for (int e = 0; e < edges.Length; e++)
        {
            T wt = weights.IsEmpty ? T.One : weights[e];
            r[k] = edges[e].From; c[k] = edges[e].To; v[k++] = wt;
            if (symmetric) { r[k] = edges[e].To; c[k] = edges[e].From; v[k++] = wt; }
        }
        return FromCoo(n, n, r, c, v);
    }

    /// <summary>The transpose (computed once and cached).</summary>
    public CsrMatrix<T> Transpose()
    {
        if (_transpose is not null) return _transpose;
        var counts = new int[ColumnCount + 1];
        foreach (int c in ColIdx) counts[c + 1]++;
        for (int c = 0; c < ColumnCount; c++) counts[c + 1] += counts[c];
        var fill = (int[])counts.Clone();
        var cols = new int[NonZeros];
        var vals = new T[NonZeros];
        for (int r = 0; r < RowCount; r++)
            for (int p = RowPtr[r]; p < RowPtr[r + 1]; p++)
            {
                int at = fill[ColIdx[p]]++;
                cols[at] = r;
                vals[at] = Values[p];
            }
        _transpose = new CsrMatrix<T>(ColumnCount, RowCount, counts, cols, vals) { _transpose = this };
        return _transpose;
    }

    /// <summary>Sum of each row.</summary>
    public T[] RowSums()
    {
        var s = new T[RowCount];
        for (int r = 0; r < RowCount; r++)
            s[r] = TensorPrimitives.Sum<T>(Values.AsSpan(RowPtr[r], RowPtr[r + 1] - RowPtr[r]));
        return s;
    }

    /// <summary>
    /// D^-½ A D^-½ with D the row sums (for a symmetric A, the degrees). Rows and columns of
    /// degree 0 get 0 in D^-½, so they stay empty.
    /// </summary>
    public CsrMatrix<T> SymmetricNormalize()
    {
        if (RowCount != ColumnCount) throw new InvalidOperationException($"SymmetricNormalize needs a square matrix, this one is {RowCount}×{ColumnCount}.");
        var deg = RowSums();
        var inv = new T[RowCount];
        for (int i = 0; i < deg.Length; i++) inv[i] = deg[i] > T.Zero ? T.One / T.Sqrt(deg[i]) : T.Zero;
        var vals = new T[NonZeros];
        for (int r = 0; r < RowCount; r++)
            for (int p = RowPtr[r]; p < RowPtr[r + 1]; p++) vals[p] = inv[r] * Values[p] * inv[ColIdx[p]];
        return new CsrMatrix<T>(RowCount, ColumnCount, RowPtr, ColIdx, vals);
    }

    /// <summary>y = A·x (SpMV).</summary>
    public void Multiply(ReadOnlySpan<T> x, Span<T> y)
    {
        if (x.Length != ColumnCount || y.Length != RowCount)
            throw new ArgumentException($"SpMV: a {RowCount}×{ColumnCount} matrix needs x of {ColumnCount} and y of {RowCount}, got {x.Length} and {y.Length}.");
        Multiply(x, y, 1, T.Zero);
    }

    /// <summary>
    /// Y = A·X + β·Y for dense row-major X [ColumnCount, width] and Y [RowCount, width] (SpMM),
    /// parallel over rows.
    /// </summary>
    public void Multiply(ReadOnlySpan<T> x, Span<T> y, int width, T beta)
    {
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "SpMM width must be positive.");
        if (x.Length != ColumnCount * width || y.Length != RowCount * width)
            throw new ArgumentException($"SpMM: a {RowCount}×{ColumnCount} matrix with width {width} needs X of {ColumnCount * width} and Y of {RowCount * width} elements, got {x.Length} and {y.Length}.");
        unsafe
        {
            fixed (T* px = x)
            fixed (T* py = y)
            {
                var job = new SpmmJob(this, px, py, width, beta, x.Length, y.Length);
                int chunks = Math.Min(RowCount, Math.Max(1, Kernels.Blas.ThreadCount * 4));
                if ((long)NonZeros * width < 1 << 15 || chunks == 1) job.Rows(0, RowCount);
                else
                    Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Kernels.Blas.ThreadCount },
                        ch => job.Rows((int)((long)RowCount * ch / chunks), (int)((long)RowCount * (ch + 1) / chunks)));
            }
        }
    }

    /// <summary>
    /// Y = α·A·X + γ·Z in one pass (Z [RowCount, width], may not overlap Y): a propagation step with its
    /// residual, as in SEvo's series, without separate scaling and addition passes. Parallel over rows.
    /// </summary>
    public void MultiplyAdd(ReadOnlySpan<T> x, Span<T> y, int width, T alpha, ReadOnlySpan<T> z, T gamma) => MultiplyAdd(x, y, width, alpha, z, gamma, null);

    /// <summary>
    /// <see cref="MultiplyAdd(ReadOnlySpan{T}, Span{T}, int, T, ReadOnlySpan{T}, T)"/> for an X whose rows marked false in
    /// <paramref name="xRowsNonZero"/> are all zero: their terms are skipped (adding a zero product changes no bit of a
    /// sum, up to the sign of a zero), so a row-sparse X, such as an SGD step's update, costs its non-zero rows only.
    /// </summary>
    internal void MultiplyAdd(ReadOnlySpan<T> x, Span<T> y, int width, T alpha, ReadOnlySpan<T> z, T gamma, bool[]? xRowsNonZero)
    {
        if (xRowsNonZero is not null && xRowsNonZero.Length != ColumnCount)
            throw new ArgumentException($"SpMM: {xRowsNonZero.Length} row flags for X of {ColumnCount} rows.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "SpMM width must be positive.");
        if (x.Length != ColumnCount * width || y.Length != RowCount * width || z.Length != y.Length)
            throw new ArgumentException($"SpMM: a {RowCount}×{ColumnCount} matrix with width {width} needs X of {ColumnCount * width} and Y, Z of {RowCount * width} elements, got {x.Length}, {y.Length} and {z.Length}.");
        if (y.Overlaps(z) || y.Overlaps(x)) throw new ArgumentException("SpMM: Y must not overlap X or Z.");
        unsafe
        {
            fixed (T* px = x)
            fixed (T* py = y)
            fixed (T* pz = z)
            {
                var job = new SpmmJob(this, px, py, width, T.Zero, x.Length, y.Length) { Alpha = alpha, Addend = pz, Gamma = gamma, XRowsNonZero = xRowsNonZero };
                int chunks = Math.Min(RowCount, Math.Max(1, Kernels.Blas.ThreadCount * 4));
                if ((long)NonZeros * width < 1 << 15 || chunks == 1) job.Rows(0, RowCount);
                else
                    Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Kernels.Blas.ThreadCount },
                        ch => job.Rows((int)((long)RowCount * ch / chunks), (int)((long)RowCount * (ch + 1) / chunks)));
            }
        }
    }

    /// <summary>
    /// How many non-zeros ahead the float SpMM kernel prefetches the gathered row of X (0: none); settable for the
    /// benchmark that chose it (<c>quick spmm</c>). Prefetching changes no result, only when the lines arrive.
    /// </summary>
    internal static int FloatPrefetchDistance = 8;

    private sealed unsafe class SpmmJob(CsrMatrix<T> a, T* x, T* y, int width, T beta, int xLen, int yLen)
    {
        /// <summary>Scale of A·X (1 for plain SpMM).</summary>
        public T Alpha { get; init; } = T.One;

        /// <summary>Optional addend Z of Y = α·A·X + γ·Z (then β is ignored).</summary>
        public T* Addend { get; init; }

        /// <summary>Scale of the addend.</summary>
        public T Gamma { get; init; } = T.One;

        /// <summary>Rows of X known to hold a non-zero (others are skipped), or null for all.</summary>
        public bool[]? XRowsNonZero { get; init; }

        public void Rows(int r0, int r1)
        {
            var xs = new ReadOnlySpan<T>(x, xLen);
            var ys = new Span<T>(y, yLen);
            if (typeof(T) == typeof(float) && width % 16 == 0 && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && beta == T.Zero)
            {
                RowsFloat512(r0, r1);
                return;
            }
            if (typeof(T) == typeof(double) && width % 8 == 0 && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && beta == T.Zero && XRowsNonZero is null)
            {
                RowsDouble512(r0, r1);
                return;
            }
            if (Addend != null)
            {
                var zs = new ReadOnlySpan<T>(Addend, yLen);
                for (int r = r0; r < r1; r++)
                {
                    var dst = ys.Slice(r * width, width);
                    dst.Clear();
                    for (int p = a.RowPtr[r]; p < a.RowPtr[r + 1]; p++)
                        if (XRowsNonZero is null || XRowsNonZero[a.ColIdx[p]])
                            TensorPrimitives.MultiplyAdd<T>(xs.Slice(a.ColIdx[p] * width, width), a.Values[p], dst, dst);
                    TensorPrimitives.Multiply<T>(dst, Alpha, dst);
                    TensorPrimitives.MultiplyAdd<T>(zs.Slice(r * width, width), Gamma, dst, dst);
                }
                return;
            }
            for (int r = r0; r < r1; r++)
            {
                var dst = ys.Slice(r * width, width);
                if (beta == T.Zero) dst.Clear();
                else if (beta != T.One) TensorPrimitives.Multiply<T>(dst, beta, dst);
                for (int p = a.RowPtr[r]; p < a.RowPtr[r + 1]; p++)
                    TensorPrimitives.MultiplyAdd<T>(xs.Slice(a.ColIdx[p] * width, width), a.Values[p], dst, dst);
            }
        }

        /// <summary>Float rows with the output accumulated in registers, 64 columns (4 × Vector512) at a time.</summary>
        private void RowsFloat512(int r0, int r1)
        {
            int prefetch = System.Runtime.Intrinsics.X86.Sse.IsSupported ? FloatPrefetchDistance : 0;
            var skip = XRowsNonZero;
            var vals = (float[])(object)a.Values;
            float* fx = (float*)x, fy = (float*)y, fz = (float*)Addend;
            var va = System.Runtime.Intrinsics.Vector512.Create((float)(object)Alpha);
            var vg = System.Runtime.Intrinsics.Vector512.Create((float)(object)Gamma);
            int[] ptr = a.RowPtr, col = a.ColIdx;
            for (int r = r0; r < r1; r++)
            {
                int c = 0;
                for (; c + 64 <= width; c += 64)
                {
                    var s0 = System.Runtime.Intrinsics.Vector512<float>.Zero; var s1 = s0; var s2 = s0; var s3 = s0;
                    int end = ptr[r + 1], last = col.Length - 1;
                    for (int p = ptr[r]; p < end; p++)
                    {
                        if (skip is not null && !skip[col[p]]) continue;
                        if (prefetch > 0)
                        {
                            // The rows gathered are scattered over a table larger than the core's cache; ask for the one a few
                            // non-zeros ahead (on into the next row) so its lines arrive while these multiply-adds run.
                            byte* ahead = (byte*)(fx + (long)col[(int)Math.Min((long)p + prefetch, last)] * width + c);
                            System.Runtime.Intrinsics.X86.Sse.Prefetch0(ahead);
                            System.Runtime.Intrinsics.X86.Sse.Prefetch0(ahead + 64);
                            System.Runtime.Intrinsics.X86.Sse.Prefetch0(ahead + 128);
                            System.Runtime.Intrinsics.X86.Sse.Prefetch0(ahead + 192);
                        }
                        var v = System.Runtime.Intrinsics.Vector512.Create(vals[p]);
                        float* src = fx + (long)col[p] * width + c;
                        s0 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(v, System.Runtime.Intrinsics.Vector512.Load(src), s0);
                        s1 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(v, System.Runtime.Intrinsics.Vector512.Load(src + 16), s1);
                        s2 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(v, System.Runtime.Intrinsics.Vector512.Load(src + 32), s2);
                        s3 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(v, System.Runtime.Intrinsics.Vector512.Load(src + 48), s3);
                    }
                    float* dst = fy + (long)r * width + c;
                    if (fz != null)
                    {
                        float* add = fz + (long)r * width + c;
                        s0 = s0 * va + System.Runtime.Intrinsics.Vector512.Load(add) * vg;
                        s1 = s1 * va + System.Runtime.Intrinsics.Vector512.Load(add + 16) * vg;
                        s2 = s2 * va + System.Runtime.Intrinsics.Vector512.Load(add + 32) * vg;
                        s3 = s3 * va + System.Runtime.Intrinsics.Vector512.Load(add + 48) * vg;
                    }
                    s0.Store(dst); s1.Store(dst + 16); s2.Store(dst + 32); s3.Store(dst + 48);
                }
                for (; c < width; c += 16)
                {
                    var s0 = System.Runtime.Intrinsics.Vector512<float>.Zero;
                    for (int p = ptr[r]; p < ptr[r + 1]; p++)
                        if (skip is null || skip[col[p]])
                            s0 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(System.Runtime.Intrinsics.Vector512.Create(vals[p]),
                                System.Runtime.Intrinsics.Vector512.Load(fx + (long)col[p] * width + c), s0);
                    if (fz != null) s0 = s0 * va + System.Runtime.Intrinsics.Vector512.Load(fz + (long)r * width + c) * vg;
                    s0.Store(fy + (long)r * width + c);
                }
            }
        }
        /// <summary>
        /// Double rows with the output accumulated in registers (the eigensolver's blocks of 8 vectors are one Vector512
        /// per row): 32 columns (4 × Vector512) at a time, then 8 at a time with two accumulators over alternate non-zeros
        /// so consecutive multiply-adds do not wait on each other.
        /// </summary>
        private void RowsDouble512(int r0, int r1)
        {
            var vals = (double[])(object)a.Values;
            double* dx = (double*)x, dy = (double*)y, dz = (double*)Addend;
            var va = System.Runtime.Intrinsics.Vector512.Create((double)(object)Alpha);
            var vg = System.Runtime.Intrinsics.Vector512.Create((double)(object)Gamma);
            int[] ptr = a.RowPtr, col = a.ColIdx;
            for (int r = r0; r < r1; r++)
            {
                int c = 0;
                for (; c + 32 <= width; c += 32)
                {
                    var s0 = System.Runtime.Intrinsics.Vector512<double>.Zero; var s1 = s0; var s2 = s0; var s3 = s0;
                    for (int p = ptr[r]; p < ptr[r + 1]; p++)
                    {
                        var v = System.Runtime.Intrinsics.Vector512.Create(vals[p]);
                        double* src = dx + (long)col[p] * width + c;
                        s0 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(v, System.Runtime.Intrinsics.Vector512.Load(src), s0);
                        s1 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(v, System.Runtime.Intrinsics.Vector512.Load(src + 8), s1);
                        s2 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(v, System.Runtime.Intrinsics.Vector512.Load(src + 16), s2);
                        s3 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(v, System.Runtime.Intrinsics.Vector512.Load(src + 24), s3);
                    }
                    double* dst = dy + (long)r * width + c;
                    if (dz != null)
                    {
                        double* add = dz + (long)r * width + c;
                        s0 = s0 * va + System.Runtime.Intrinsics.Vector512.Load(add) * vg;
                        s1 = s1 * va + System.Runtime.Intrinsics.Vector512.Load(add + 8) * vg;
                        s2 = s2 * va + System.Runtime.Intrinsics.Vector512.Load(add + 16) * vg;
                        s3 = s3 * va + System.Runtime.Intrinsics.Vector512.Load(add + 24) * vg;
                    }
                    s0.Store(dst); s1.Store(dst + 8); s2.Store(dst + 16); s3.Store(dst + 24);
                }
                for (; c < width; c += 8)
                {
                    var s0 = System.Runtime.Intrinsics.Vector512<double>.Zero;
                    var s1 = s0;
                    int p = ptr[r], end = ptr[r + 1];
                    for (; p + 1 < end; p += 2)
                    {
                        s0 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(System.Runtime.Intrinsics.Vector512.Create(vals[p]),
                            System.Runtime.Intrinsics.Vector512.Load(dx + (long)col[p] * width + c), s0);
                        s1 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(System.Runtime.Intrinsics.Vector512.Create(vals[p + 1]),
                            System.Runtime.Intrinsics.Vector512.Load(dx + (long)col[p + 1] * width + c), s1);
                    }
                    if (p < end)
                        s0 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(System.Runtime.Intrinsics.Vector512.Create(vals[p]),
                            System.Runtime.Intrinsics.Vector512.Load(dx + (long)col[p] * width + c), s0);
                    s0 += s1;
                    if (dz != null) s0 = s0 * va + System.Runtime.Intrinsics.Vector512.Load(dz + (long)r * width + c) * vg;
                    s0.Store(dy + (long)r * width + c);
                }
            }
        }
    }

    /// <summary>The matrix as a dense row-major array (for tests and small matrices).</summary>
    public T[] ToDense()
    {
        var d = new T[(long)RowCount * ColumnCount];
        for (int r = 0; r < RowCount; r++)
            for (int p = RowPtr[r]; p < RowPtr[r + 1]; p++) d[(long)r * ColumnCount + ColIdx[p]] = Values[p];
        return d;
    }
}
