using EmbedRec.Data;

namespace EmbedRec.Evaluation;

/// <summary>
/// What a model may look at when it scores users: each user's visible history in chronological order
/// (training items when validating; training then validation items when testing) and the items the
/// protocol excludes from the ranking. Dot-product models ignore it; sequence models and DLR2 build
/// their input from <see cref="History"/>.
/// </summary>
/// <param name="History">Visible items per user, oldest first.</param>
/// <param name="Exclude">Items masked out of each user's ranking.</param>
public sealed record ScoringContext(UserSequences History, UserItems Exclude)
{
    /// <summary>A context that only excludes items, with no history (for models that score from user embeddings).</summary>
    public static ScoringContext ExcludeOnly(UserItems exclude)
    {
        ArgumentNullException.ThrowIfNull(exclude);
        return new ScoringContext(UserSequences.Empty(exclude.UserCount, exclude.ItemCount), exclude);
    }

    /// <summary>The context for validation: training history, training items excluded.</summary>
    public static ScoringContext ForValidation(Data.Splits.DataSplit split)
    {
        ArgumentNullException.ThrowIfNull(split);
        return new ScoringContext(UserSequences.From(split.Train), split.Train.ToUserItems());
    }

    /// <summary>The context for testing: training then validation history, both excluded.</summary>
    public static ScoringContext ForTest(Data.Splits.DataSplit split)
    {
        ArgumentNullException.ThrowIfNull(split);
        return new ScoringContext(UserSequences.From(split.Train, split.Valid), UserItems.Union(split.Train.ToUserItems(), split.Valid.ToUserItems()));
    }
}
