namespace EmbedRec.Tensors;

/// <summary>
/// How a batch of variable-length sequences is packed row after row into a [tokens, E] tensor with no
/// padding rows: sequence s owns rows <see cref="Offsets"/>[s] .. <see cref="Offsets"/>[s + 1] − 1, oldest first.
/// <see cref="PadCounts"/>[s] says how many identical padding tokens the padded (reference) layout puts before
/// the sequence: an op that must reproduce the padded computation (SASRec's attention, where padding keys
/// still enter every softmax) accounts for them as one key with multiplicity, without materializing them.
/// </summary>
public sealed class SequencePacking
{
    /// <summary>Packs sequences of the given lengths (each ≥ 1), with no padding tokens unless <paramref name="padCounts"/> is given.</summary>
    public SequencePacking(int[] lengths, int[]? padCounts = null)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        if (padCounts is not null && padCounts.Length != lengths.Length)
            throw new ArgumentException($"SequencePacking: {padCounts.Length} padding counts for {lengths.Length} sequences.");
        Offsets = new int[lengths.Length + 1];
        for (int s = 0; s < lengths.Length; s++)
        {
            if (lengths[s] < 1) throw new ArgumentOutOfRangeException(nameof(lengths), lengths[s], $"SequencePacking: sequence {s} has length {lengths[s]}; every sequence needs at least one token.");
            if (padCounts is not null && padCounts[s] < 0) throw new ArgumentOutOfRangeException(nameof(padCounts), padCounts[s], $"SequencePacking: sequence {s} has a negative padding count.");
            Offsets[s + 1] = checked(Offsets[s] + lengths[s]);
            MaxLength = Math.Max(MaxLength, lengths[s]);
        }
        Lengths = [.. lengths];
        PadCounts = padCounts is null ? new int[lengths.Length] : [.. padCounts];
    }

    /// <summary>Number of sequences.</summary>
    public int Count => Lengths.Length;

    /// <summary>Real tokens per sequence.</summary>
    public int[] Lengths { get; }

    /// <summary>Padding tokens the reference layout places before each sequence.</summary>
    public int[] PadCounts { get; }

    /// <summary>First row of each sequence, and the total as the last entry.</summary>
    public int[] Offsets { get; }

    /// <summary>Total real tokens (rows of a packed tensor).</summary>
    public int Tokens => Offsets[^1];

    /// <summary>The longest sequence.</summary>
    public int MaxLength { get; }

    /// <summary>Σ length² (the attention pairs of bidirectional attention; an upper bound for causal).</summary>
    public long SquaredLengths
    {
        get
        {
            long total = 0;
            foreach (int l in Lengths) total += (long)l * l;
            return total;
        }
    }

    /// <summary>The last row of each sequence.</summary>
    public int[] LastRows()
    {
        var rows = new int[Count];
        for (int s = 0; s < Count; s++) rows[s] = Offsets[s + 1] - 1;
        return rows;
    }
}
