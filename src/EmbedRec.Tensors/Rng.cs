namespace EmbedRec.Tensors;

/// <summary>
/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64).
/// Every random choice in EmbedRec takes one of these explicitly, so the same seed gives
/// the same numbers on every machine.
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spare;
    private bool _hasSpare;

    /// <summary>Creates a generator from a seed.</summary>
    public Rng(ulong seed)
    {
        Seed = seed;
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    /// <summary>The seed this generator started from.</summary>
    public ulong Seed { get; }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64() => Step(ref _s0, ref _s1, ref _s2, ref _s3);

    /// <summary>One xoshiro256** step on the given state words (fields, or locals kept in registers for a span).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Step(ref ulong s0, ref ulong s1, ref ulong s2, ref ulong s3)
    {
        ulong result = BitOperations.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
        s2 ^= t;
        s3 = BitOperations.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>A new independent generator derived from this one (for parallel workers).</summary>
    public Rng Fork() => new(NextUInt64());

    /// <summary>Uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform float in [0, 1).</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>
    /// Dropout factors: each element 0 with probability <paramref name="p"/>, else <paramref name="keep"/>, drawn as
    /// <c>NextSingle() &lt; p</c> element by element (the same numbers as that loop), with the generator's state in
    /// registers for the whole span.
    /// </summary>
    public void FillDropoutMask(Span<float> mask, float p, float keep)
    {
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        for (int i = 0; i < mask.Length; i++)
            mask[i] = (Step(ref s0, ref s1, ref s2, ref s3) >> 40) * (1.0f / (1 << 24)) < p ? 0f : keep;
        _s0 = s0; _s1 = s1; _s2 = s2; _s3 = s3;
    }

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "The upper bound must be positive.");
        // Lemire's multiply-shift with rejection.
        ulong range = (ulong)maxExclusive;
        ulong m = (NextUInt64() >> 32) * range;
        ulong low = m & 0xFFFFFFFFUL;
        if (low < range)
        {
            ulong threshold = (0x1_0000_0000UL - range) % range;
            while (low < threshold)
            {
                m = (NextUInt64() >> 32) * range;
                low = m & 0xFFFFFFFFUL;
            }
        }
        return (int)(m >> 32);
    }

    /// <summary>Standard normal sample (Box–Muller, polar form).</summary>
    public double NextNormal()
    {
        if (_hasSpare) { _hasSpare = false; return _spare; }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spare = v * f;
        _hasSpare = true;
        return u * f;
    }

    /// <summary>Fills <paramref name="destination"/> with N(mean, std²) samples.</summary>
    public void FillNormal(Span<float> destination, float mean = 0f, float std = 1f)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = (float)(mean + std * NextNormal());
    }

    /// <summary>Fills <paramref name="destination"/> with U[low, high) samples.</summary>
    public void FillUniform(Span<float> destination, float low = 0f, float high = 1f)
    {
        float w = high - low;
        for (int i = 0; i < destination.Length; i++) destination[i] = low + w * NextSingle();
    }

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
