namespace EmbedRec.Data.Sampling;

/// <summary>
/// Builds the next batch on a worker thread while the caller trains on the current one: sampling
/// negatives and shuffling overlap with the (mostly single-threaded) forward and backward passes.
/// The source is still enumerated strictly in order by one thread at a time, so the batches and every
/// random number drawn are exactly those of the plain enumeration. Each yielded batch stays valid
/// until the next one is requested (two buffers alternate). Generic over the batch type: a source may
/// reuse one batch object, so each is copied into a buffer of the prefetcher's.
/// </summary>
public static class BatchPrefetcher
{
    /// <summary>The batches of <paramref name="source"/>, one built ahead, copied with <paramref name="copy"/> into buffers from <paramref name="allocate"/>.</summary>
    public static IEnumerable<TBatch> Prefetch<TBatch>(IEnumerable<TBatch> source, Func<TBatch> allocate, Action<TBatch, TBatch> copy) where TBatch : class
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(allocate);
        ArgumentNullException.ThrowIfNull(copy);
        var buffers = new[] { allocate(), allocate() };
        using var e = source.GetEnumerator();
        int k = 0;
        var pending = Task.Run(() => Next(e, buffers[0], copy));
        try
        {
            while (pending.GetAwaiter().GetResult())
            {
                var current = buffers[k];
                k ^= 1;
                var target = buffers[k];
                pending = Task.Run(() => Next(e, target, copy));
                yield return current;
            }
        }
        finally
        {
            // The consumer may stop early (an exception, a cancelled run): let the worker finish before the enumerator is disposed.
            try { pending.Wait(); } catch (AggregateException) { }
        }
    }

    private static bool Next<TBatch>(IEnumerator<TBatch> e, TBatch into, Action<TBatch, TBatch> copy)
    {
        if (!e.MoveNext()) return false;
        copy(e.Current, into);
        return true;
    }
}
