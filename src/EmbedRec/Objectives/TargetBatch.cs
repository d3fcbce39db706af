using EmbedRec.Models.Sequential;

namespace EmbedRec.Objectives;

/// <summary>
/// A batch of packed sequences with the item each prediction targets and, for sampled losses, one negative per target:
/// per token (<see cref="NextItemObjective"/>: every position predicts the next item) or per sequence
/// (<see cref="LastItemObjective"/>: each prefix predicts the item after it). Built whole on the prefetch thread and
/// handed over by reference.
/// </summary>
public sealed class TargetBatch
{
    /// <summary>The packed inputs.</summary>
    public SequenceInput Input { get; set; } = null!;

    /// <summary>Target item ids.</summary>
    public int[] Targets { get; set; } = [];

    /// <summary>One negative item id per target (empty for full-softmax losses).</summary>
    public int[] Negatives { get; set; } = [];

    /// <summary>Hands <paramref name="from"/>'s arrays to <paramref name="into"/> (batches are immutable once built).</summary>
    public static void Copy(TargetBatch from, TargetBatch into)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(into);
        into.Input = from.Input;
        into.Targets = from.Targets;
        into.Negatives = from.Negatives;
    }

    /// <summary>Item ids as tokens of a model whose item 0 is token <paramref name="offset"/>.</summary>
    public static int[] Tokens(int[] items, int offset)
    {
        ArgumentNullException.ThrowIfNull(items);
        var t = new int[items.Length];
        for (int i = 0; i < t.Length; i++) t[i] = items[i] + offset;
        return t;
    }
}
