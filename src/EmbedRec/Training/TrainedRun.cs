using EmbedRec.Data;
using EmbedRec.Data.Splits;
using EmbedRec.Evaluation;
using EmbedRec.Models;

namespace EmbedRec.Training;

/// <summary>Which held-out part a run is evaluated on.</summary>
public enum HeldOut
{
    /// <summary>Validation items; training items excluded; the training history visible.</summary>
    Valid,

    /// <summary>Test items; training and validation items excluded and visible.</summary>
    Test,
}

/// <summary>One recommended item.</summary>
/// <param name="Rank">1-based rank.</param>
/// <param name="Item">The item's id as written in the data.</param>
/// <param name="Score">The model's score.</param>
/// <param name="Categories">The item's categories, when the data has them.</param>
public sealed record Recommendation(int Rank, string Item, float Score, IReadOnlyList<string> Categories);

/// <summary>A reopened run directory: its resolved configuration, its split rebuilt from the data, and its trained model.</summary>
/// <param name="Spec">The resolved configuration.</param>
/// <param name="Split">The split.</param>
/// <param name="Model">The trained model, ready to score.</param>
/// <param name="Directory">The run directory.</param>
public sealed record TrainedRun(RunSpec Spec, DataSplit Split, IRecommender Model, RunDirectory Directory)
{
    /// <summary>The relevant items and the scoring context of a held-out part.</summary>
    public (UserItems Relevant, ScoringContext Context) HeldOutSet(HeldOut part) => part switch
    {
        HeldOut.Valid => (Split.Valid.ToUserItems(), ScoringContext.ForValidation(Split)),
        _ => (Split.Test.ToUserItems(), ScoringContext.ForTest(Split)),
    };

    /// <summary>
    /// Evaluates the model on <paramref name="part"/> (the run's metrics unless <paramref name="options"/> says otherwise;
    /// <paramref name="users"/>: only the users it selects by their training history, e.g. the tail users);
    /// <paramref name="progress"/> hears (0, users) first and then the users done after each block.
    /// </summary>
    public EvaluationResult Evaluate(HeldOut part, EvaluationOptions? options = null, UserSelection? users = null, IProgress<EvaluationProgress>? progress = null)
    {
        var (relevant, context) = HeldOutSet(part);
        var o = options ?? Spec.Trainer.Evaluation;
        if (users is { All: false })
            o = o with { Users = users.Apply(FullRankingEvaluator.EvaluatedUsers(relevant, null), Split.Train.ToUserItems()) };
        return FullRankingEvaluator.Evaluate(Model, relevant, context, o, progress);
    }

    /// <summary>The top <paramref name="k"/> items for the user written <paramref name="user"/> in the data, excluding every item the user has in any part of the split.</summary>
    public IReadOnlyList<Recommendation> Recommend(string user, int k)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (k < 1 || k > 1_000_000) throw new ArgumentOutOfRangeException(nameof(k), k, $"The number of items must be between 1 and 1,000,000, got {k}.");
        if (!Split.Train.Users.TryGet(user, out int u))
            throw new KeyNotFoundException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"User '{user}' is not in the data ({Split.UserCount:N0} users, e.g. {string.Join(", ", Split.Train.Users.External.Take(3).Select(x => $"'{x}'"))})."));
        var context = new ScoringContext(UserSequences.From(Split.Train, Split.Valid, Split.Test),
            UserItems.Union(UserItems.Union(Split.Train.ToUserItems(), Split.Valid.ToUserItems()), Split.Test.ToUserItems()));
        var scores = new float[Split.ItemCount];
        Model.Score([u], context, scores);
        foreach (int i in context.Exclude.Of(u)) scores[i] = float.NegativeInfinity;
        var top = new int[Math.Min(k, Split.ItemCount)];
        int n = TopK.Select(scores, top, new float[top.Length]);
        var cats = Split.Train.Categories;
        return top.Take(n).Select((i, r) => new Recommendation(r + 1, Split.Train.Items[i], scores[i],
            cats is null ? [] : cats.Of(i).ToArray().Select(c => cats.Names[c]).ToArray())).ToList();
    }
}
