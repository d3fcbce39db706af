namespace EmbedRec.Data.Sampling;

/// <summary>
/// Builds the next batch on a worker thread while the caller trains on the current one: sampling
/// negatives and shuffling overlap with the (mostly single-threaded) forward and backward passes.
/// The source is still enumerated strictly in order by one thread at a time, so the batches and every
/// random number drawn are exactly those of the plain enumeration. Each yielded batch stays valid
/// until the next one is requested (two buffers alternate).
/// </summary>
public static class BatchPrefetcher
{
    /// <summary>The batches of <paramref name="source"/>, one built ahead.</summary>
    public static IEnumerable<TripletBatch> Prefetch(IEnumerable<TripletBatch> source, int capacity, int negatives)
    {
        ArgumentNullException.ThrowIfNull(source);
        var buffers = new[] { new TripletBatch(capacity, negatives), new TripletBatch(capacity, negatives) };
        using var e = source.GetEnumerator();
        int k = 0;
        var pending = Task.Run(() => Next(e, buffers[0]));
        try
        {
            while (pending.GetAwaiter().GetResult())
            {
                var current = buffers[k];
                k ^= 1;
                var target = buffers[k];
                pending = Task.Run(() => Next(e, target));
                yield return current;
            }
        }
        finally
        {
            // The consumer may stop early (an exception, a cancelled run): let the worker finish before the enumerator is disposed.
            try { pending.Wait(); } catch (AggregateException) { }
        }
    }

    private static bool Next(IEnumerator<TripletBatch> e, TripletBatch into)
    {
        if (!e.MoveNext()) return false;
        var b = e.Current;
        int n = b.Count, neg = b.NegativesPerPositive;
        if (into.Users.Length < n || into.NegativesPerPositive != neg)
            throw new InvalidOperationException($"Prefetch buffers hold {into.Users.Length} triples with {into.NegativesPerPositive} negatives; the source gave {n} with {neg}.");
        Array.Copy(b.Users, into.Users, n);
        Array.Copy(b.Positives, into.Positives, n);
        Array.Copy(b.Negatives, into.Negatives, n * neg);
        into.Count = n;
        return true;
    }
}
