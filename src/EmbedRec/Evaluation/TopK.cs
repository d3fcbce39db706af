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
        int n = 0;
        // Min-heap of the current best: root = worst (lowest score, then highest index).
        for (int i = 0; i < scores.Length; i++)
        {
            float s = scores[i];
            if (!(s > float.NegativeInfinity)) continue;
            if (n < k)
            {
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
            else if (s > heapScores[0]) // equal score with a higher index never displaces
            {
                items[0] = i; heapScores[0] = s;
                SiftDown(items, heapScores, n);
            }
        }
        // Heap-sort in place: repeatedly move the worst to the end.
        for (int end = n - 1; end > 0; end--)
        {
            Swap(items, heapScores, 0, end);
            SiftDown(items, heapScores, end);
        }
        return n;
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
