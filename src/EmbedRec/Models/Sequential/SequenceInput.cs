using EmbedRec.Tensors;

namespace EmbedRec.Models.Sequential;

/// <summary>
/// A batch of item sequences for a sequence model, packed without padding (<see cref="SequencePacking"/>): the item
/// tokens (item id + the model's token offset, so that 0 stays padding), each token's position index in the padded
/// layout the reference code uses (sequences left-padded to <c>max_len</c>, so the last item sits at max_len − 1), and
/// the number of padding tokens that layout places before each sequence.
/// </summary>
public sealed class SequenceInput
{
    private SequenceInput(int[] tokens, int[] positions, SequencePacking packing)
    {
        Tokens = tokens;
        Positions = positions;
        Packing = packing;
    }

    /// <summary>Token ids, packed.</summary>
    public int[] Tokens { get; }

    /// <summary>Position index of each token in the left-padded layout.</summary>
    public int[] Positions { get; }

    /// <summary>Where each sequence's tokens are.</summary>
    public SequencePacking Packing { get; }

    /// <summary>Number of sequences.</summary>
    public int Count => Packing.Count;

    /// <summary>Builds packed inputs sequence by sequence.</summary>
    public sealed class Builder(int maxLength, int tokenOffset)
    {
        private readonly List<int> _tokens = [];
        private readonly List<int> _lengths = [];

        /// <summary>The padded width; longer sequences keep their most recent items.</summary>
        public int MaxLength { get; } = maxLength >= 1 ? maxLength : throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "max_len must be ≥ 1.");

        /// <summary>Added to item ids to form tokens.</summary>
        public int TokenOffset { get; } = tokenOffset;

        /// <summary>Sequences added so far.</summary>
        public int Count => _lengths.Count;

        /// <summary>Appends a sequence of item ids (oldest first, at least one), then optionally one extra token (e.g. a mask token) after it; returns its packed length.</summary>
        public int Add(ReadOnlySpan<int> items, int? appendToken = null)
        {
            int room = appendToken is null ? MaxLength : MaxLength - 1;
            int take = Math.Min(items.Length, room);
            if (take + (appendToken is null ? 0 : 1) < 1) throw new ArgumentException("A sequence needs at least one item.", nameof(items));
            foreach (int i in items[^take..]) _tokens.Add(i + TokenOffset);
            if (appendToken is { } t) { _tokens.Add(t); take++; }
            _lengths.Add(take);
            return take;
        }

        /// <summary>The packed batch; the builder can then be reused after <see cref="Clear"/>.</summary>
        public SequenceInput Build()
        {
            var lengths = _lengths.ToArray();
            var pads = new int[lengths.Length];
            var positions = new int[_tokens.Count];
            int r = 0;
            for (int s = 0; s < lengths.Length; s++)
            {
                pads[s] = MaxLength - lengths[s];
                for (int k = 0; k < lengths[s]; k++) positions[r++] = pads[s] + k;
            }
            return new SequenceInput(_tokens.ToArray(), positions, new SequencePacking(lengths, pads));
        }

        /// <summary>Empties the builder.</summary>
        public void Clear()
        {
            _tokens.Clear();
            _lengths.Clear();
        }
    }
}
