using EmbedRec.Data;
using EmbedRec.Evaluation;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Kernels;

namespace EmbedRec.Models.Sequential;

/// <summary>
/// Full-ranking scores of a sequence model: each user's visible history (<see cref="ScoringContext.History"/>, truncated
/// to the model's last max_len items) is encoded in one packed batch, and the last position's state is multiplied by
/// the output layer's item rows. A user with an empty history gets the items' training popularity instead (a documented
/// fallback; <see cref="EmptyHistoryUsers"/> counts them so callers can flag it).
/// </summary>
public sealed class SequenceScorer(ISequenceModel model, float[] popularity)
{
    private readonly ISequenceModel _model = model ?? throw new ArgumentNullException(nameof(model));
    private readonly float[] _popularity = popularity ?? throw new ArgumentNullException(nameof(popularity));

    /// <summary>Users scored so far from popularity because their visible history was empty.</summary>
    public int EmptyHistoryUsers { get; private set; }

    /// <summary>Scores <paramref name="users"/> over all items into <paramref name="scores"/> [users × items].</summary>
    public void Score(ReadOnlySpan<int> users, ScoringContext context, Span<float> scores)
    {
        ArgumentNullException.ThrowIfNull(context);
        int items = _model.ItemCount, d = _model.Dim;
        ScoreArgs.Check(users, _model.UserCount, items, scores.Length);
        var builder = new SequenceInput.Builder(_model.MaxLength, _model.TokenOffset);
        var rows = new List<int>(users.Length);
        for (int k = 0; k < users.Length; k++)
        {
            var history = users[k] < context.History.UserCount ? context.History.Of(users[k]) : [];
            if (history.Length == 0)
            {
                _popularity.CopyTo(scores.Slice(k * items, items));
                EmptyHistoryUsers++;
                continue;
            }
            builder.Add(history, _model.ScoringSuffix);
            rows.Add(k);
        }
        if (rows.Count == 0) return;
        using var _ = GradMode.NoGrad();
        var h = _model.Encode(builder.Build(), lastOnly: true).ToArray(); // [rows, d]
        var (weight, bias) = _model.Output;
        var w = weight.Span.Slice(_model.TokenOffset * d, items * d);
        var blas = Blas.Current;
        if (rows.Count == users.Length)
        {
            blas.Sgemm(false, true, rows.Count, items, d, 1f, h, d, w, d, 0f, scores, items);
            if (bias is not null)
                for (int k = 0; k < rows.Count; k++) TensorPrimitives.Add(scores.Slice(k * items, items), bias.Span.Slice(_model.TokenOffset, items), scores.Slice(k * items, items));
            return;
        }
        var block = new float[rows.Count * items];
        blas.Sgemm(false, true, rows.Count, items, d, 1f, h, d, w, d, 0f, block, items);
        for (int r = 0; r < rows.Count; r++)
        {
            var dst = scores.Slice(rows[r] * items, items);
            block.AsSpan(r * items, items).CopyTo(dst);
            if (bias is not null) TensorPrimitives.Add(dst, bias.Span.Slice(_model.TokenOffset, items), dst);
        }
    }

    /// <summary>Training popularity of each item (the empty-history fallback).</summary>
    public static float[] Popularity(InteractionLog train)
    {
        ArgumentNullException.ThrowIfNull(train);
        return train.ItemCounts().Select(c => (float)c).ToArray();
    }
}
