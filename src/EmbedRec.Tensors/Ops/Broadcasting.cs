namespace EmbedRec.Tensors;

/// <summary>Broadcast expansion and its adjoint (sum back to a shape).</summary>
internal static class Broadcasting
{
    /// <summary>Writes <paramref name="src"/> (shape <paramref name="srcShape"/>) broadcast to <paramref name="outShape"/>.</summary>
    public static void Expand<T>(ReadOnlySpan<T> src, ReadOnlySpan<int> srcShape, ReadOnlySpan<int> outShape, Span<T> dst)
    {
        int rank = outShape.Length;
        if (src.Length == dst.Length) { src.CopyTo(dst); return; }
        if (src.Length == 1) { dst.Fill(src[0]); return; }
        Span<int> stride = stackalloc int[rank];
        SourceStrides(srcShape, outShape, stride);
        int inner = outShape[rank - 1];
        int innerStride = stride[rank - 1];
        Span<int> idx = stackalloc int[rank];
        int outer = dst.Length / Math.Max(1, inner);
        for (int o = 0; o < outer; o++)
        {
            int s = 0;
            for (int d = 0; d < rank - 1; d++) s += idx[d] * stride[d];
            var row = dst.Slice(o * inner, inner);
            if (innerStride == 1) src.Slice(s, inner).CopyTo(row);
            else row.Fill(src[s]);
            Next(idx, outShape, rank - 1);
        }
    }

    /// <summary>Adds <paramref name="g"/> (shape <paramref name="outShape"/>) summed down to <paramref name="targetShape"/> into <paramref name="acc"/>.</summary>
    public static void SumToAccumulate(ReadOnlySpan<float> g, ReadOnlySpan<int> outShape, ReadOnlySpan<int> targetShape, Span<float> acc)
    {
        if (acc.IsEmpty) return;
        if (acc.Length == g.Length) { TensorPrimitives.Add(acc, g, acc); return; }
        if (acc.Length == 1) { acc[0] += TensorPrimitives.Sum(g); return; }
        int rank = outShape.Length;
        Span<int> stride = stackalloc int[rank];
        SourceStrides(targetShape, outShape, stride);
        int inner = outShape[rank - 1];
        int innerStride = stride[rank - 1];
        Span<int> idx = stackalloc int[rank];
        int outer = g.Length / Math.Max(1, inner);
        for (int o = 0; o < outer; o++)
        {
            int s = 0;
            for (int d = 0; d < rank - 1; d++) s += idx[d] * stride[d];
            var row = g.Slice(o * inner, inner);
            if (innerStride == 1)
            {
                var dst = acc.Slice(s, inner);
                TensorPrimitives.Add(dst, row, dst);
            }
            else acc[s] += TensorPrimitives.Sum(row);
            Next(idx, outShape, rank - 1);
        }
    }

    private static void SourceStrides(ReadOnlySpan<int> srcShape, ReadOnlySpan<int> outShape, Span<int> stride)
    {
        int rank = outShape.Length, offset = rank - srcShape.Length;
        int acc = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            int sd = d < offset ? 1 : srcShape[d - offset];
            stride[d] = sd == 1 ? 0 : acc;
            acc *= sd;
        }
    }

    private static void Next(Span<int> idx, ReadOnlySpan<int> shape, int dims)
    {
        for (int d = dims - 1; d >= 0; d--)
        {
            if (++idx[d] < shape[d]) return;
            idx[d] = 0;
        }
    }
}
