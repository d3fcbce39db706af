using System.Runtime.Intrinsics;

namespace EmbedRec.Evaluation;

/// <summary>
/// Top-K selection without sorting everything: a bounded heap over one row of scores.
/// Ties are broken deterministically: of two equal scores the lower item index ranks first.
/// Items whose score is −∞ or NaN (masked) are never selected, so a row may yield fewer than K.
/// </summary>
public static class TopK
{
    /// <summary>Writes the best items in rank order into <paramref name="items"/>; returns how many were found.</summary>
    public static int Select(ReadOnlySpan<float> scores, Span<int> items, Span<float> heapScores)
    {
        int k = items.Length;
        if (heapScores.Length < k) throw new ArgumentException("The heap buffer is shorter than K.");
        int n = 0, i = 0;
        // Min-heap of the current best: root = worst (lowest score, then highest index).
        for (; i < scores.Length && n < k; i++)
        {
            float s = scores[i];
            if (!(s > float.NegativeInfinity)) continue;
            int c = n++;
            items[c] = i; heapScores[c] = s;
            while (c > 0)
            {
                int p = (c - 1) >> 1;
                if (!Worse(heapScores[c], items[c], heapScores[p], items[p])) break;
                Swap(items, heapScores, c, p);
                c = p;
            }
        }
        if (n == k && k > 0)
        {
            // Full heap: only scores above the current worst can enter (an equal score has a higher
            // index and loses the tie). Most of a row fails that test, so check whole vectors at once.
            int width = Vector256<float>.Count;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; i + width <= scores.Length; i += width)
                {
                    var v = Vector256.Create(scores.Slice(i, width));
                    uint mask = Vector256.GreaterThan(v, Vector256.Create(heapScores[0])).ExtractMostSignificantBits();
                    while (mask != 0)
                    {
                        int j = System.Numerics.BitOperations.TrailingZeroCount(mask);
                        mask &= mask - 1;
                        if (scores[i + j] > heapScores[0]) Replace(items, heapScores, n, i + j, scores[i + j]);
                    }
                }
            }
            for (; i < scores.Length; i++)
                if (scores[i] > heapScores[0]) Replace(items, heapScores, n, i, scores[i]);
        }
        // Heap-sort in place: repeatedly move the worst to the end.
        for (int end = n - 1; end > 0; end--)
        {
            Swap(items, heapScores, 0, end);
            SiftDown(items, heapScores, end);
        }
        return n;
    }

    private static void Replace(Span<int> items, Span<float> heapScores, int n, int item, float score)
    {
        items[0] = item;
        heapScores[0] = score;
        SiftDown(items, heapScores, n);
    }

    private static bool Worse(float sa, int ia, float sb, int ib) => sa < sb || (sa == sb && ia > ib);

    private static void SiftDown(Span<int> items, Span<float> sc, int n)
    {
        int c = 0;
        while (true)
        {
            int l = 2 * c + 1, r = l + 1, w = c;
            if (l < n && Worse(sc[l], items[l], sc[w], items[w])) w = l;
            if (r < n && Worse(sc[r], items[r], sc[w], items[w])) w = r;
            if (w == c) return;
            Swap(items, sc, c, w);
            c = w;
        }
    }

    private static void Swap(Span<int> items, Span<float> sc, int a, int b)
    {
        (items[a], items[b]) = (items[b], items[a]);
        (sc[a], sc[b]) = (sc[b], sc[a]);
    }
}
