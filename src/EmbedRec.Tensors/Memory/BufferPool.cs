namespace EmbedRec.Tensors.Memory;

/// <summary>
/// A pool of float buffers keyed by length.
/// </summary>
/// <remarks>
/// Design: every tensor produced by an op while gradients are recorded rents its buffer
/// here, and so do the auxiliary buffers an op saves for its backward pass (softmax
/// probabilities, dropout masks, layer-norm statistics) and the gradients of intermediate
/// tensors. When <see cref="Tensor.Backward()"/> releases the graph, those buffers come back.
/// A training loop repeats the same shapes every step, so after the first step each rent is
/// served from the pool and the loop allocates no new float arrays (the benchmark
/// <c>alloc</c> checks this). <see cref="Rent"/> gives exact lengths, so that a span over the
/// buffer is the whole array (auxiliary buffers). Tensors use <see cref="RentAtLeast"/>, which
/// rounds up to a size class (2^k, 1.25·2^k, 1.5·2^k, 1.75·2^k): batches whose sizes change
/// every step (packed sequences, whose token count varies) then reuse buffers instead of
/// allocating new large arrays each step; a tensor reads only its first <c>Size</c> elements.
/// The pool keeps at most <see cref="MaxRetainedBytes"/> and lets the garbage collector take
/// the rest. All members are thread-safe.
/// </remarks>
public sealed class BufferPool
{
    private readonly Dictionary<int, Stack<float[]>> _buckets = new();
    private readonly object _gate = new();
    private long _retainedBytes;

    /// <summary>The pool used by tensor operations.</summary>
    public static BufferPool Shared { get; } = new();

    /// <summary>Upper bound on the bytes the pool keeps for reuse (default 2 GiB).</summary>
    public long MaxRetainedBytes { get; init; } = 2L << 30;

    /// <summary>Bytes currently held for reuse.</summary>
    public long RetainedBytes { get { lock (_gate) return _retainedBytes; } }

    /// <summary>
    /// Rents a buffer of at least <paramref name="length"/> floats, its length rounded up to a size class;
    /// <paramref name="clear"/> zeroes the first <paramref name="length"/>.
    /// </summary>
    public float[] RentAtLeast(int length, bool clear)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return length == 0 ? [] : Take(SizeClass(length), length, clear);
    }

    /// <summary>The size class of <paramref name="length"/>: the smallest of 2^k·{1, 1.25, 1.5, 1.75} ≥ length (lengths ≤ 64 are their own class).</summary>
    public static int SizeClass(int length)
    {
        if (length <= 64) return length;
        int high = 1 << (31 - System.Numerics.BitOperations.LeadingZeroCount((uint)length)); // 2^k ≤ length
        if (length == high) return length;
        int quarter = high >> 2;
        long c = high + quarter * (long)((length - high + quarter - 1) / quarter);
        return c > int.MaxValue ? length : (int)c;
    }

    /// <summary>Rents a buffer of exactly <paramref name="length"/> floats.</summary>
    /// <param name="length">Number of floats.</param>
    /// <param name="clear">Zero the buffer before returning it.</param>
    public float[] Rent(int length, bool clear)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return length == 0 ? [] : Take(length, length, clear);
    }

    /// <summary>A buffer of exactly <paramref name="size"/> floats from its bucket (or new), its first <paramref name="used"/> zeroed when asked.</summary>
    private float[] Take(int size, int used, bool clear)
    {
        float[]? buffer = null;
        lock (_gate)
        {
            if (_buckets.TryGetValue(size, out var stack) && stack.Count > 0)
            {
                buffer = stack.Pop();
                _retainedBytes -= 4L * size;
            }
        }
        if (buffer is null) return new float[size];
        if (clear) Array.Clear(buffer, 0, used);
        return buffer;
    }

    /// <summary>Returns a buffer for reuse. The caller must not touch it afterwards.</summary>
    public void Return(float[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (buffer.Length == 0) return;
        lock (_gate)
        {
            if (_retainedBytes + 4L * buffer.Length > MaxRetainedBytes) return;
            if (!_buckets.TryGetValue(buffer.Length, out var stack))
            {
                stack = new Stack<float[]>();
                _buckets.Add(buffer.Length, stack);
            }
            stack.Push(buffer);
            _retainedBytes += 4L * buffer.Length;
        }
    }

    /// <summary>Drops every retained buffer.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _buckets.Clear();
            _retainedBytes = 0;
        }
    }
}
