using System.Globalization;

namespace EmbedRec.Evaluation;

/// <summary>
/// Which users a re-evaluation scores, by their training history: Leporid's tail users (the 25% with the fewest training
/// interactions, among every user with a relevant item) and a range of training-interaction counts, e.g. the users long
/// enough for a sequential model's window. Both together score the tail users inside the range.
/// </summary>
public sealed record UserSelection
{
    /// <summary>Only the tail users (<see cref="UserGroups.Tail"/>, 25%). Default false.</summary>
    public bool Tail { get; init; }

    /// <summary>Only users with at least this many training interactions. Default 0 (no lower bound).</summary>
    public int MinTrainItems { get; init; }

    /// <summary>Only users with at most this many training interactions; null = no upper bound.</summary>
    public int? MaxTrainItems { get; init; }

    /// <summary>True when nothing is filtered.</summary>
    public bool All => !Tail && MinTrainItems <= 0 && MaxTrainItems is null;

    /// <summary>What the selection keeps, for a heading, e.g. "tail users, 6+ training items"; empty when <see cref="All"/>.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Tail) parts.Add("tail users");
        if (MinTrainItems > 0 || MaxTrainItems is not null)
            parts.Add(MaxTrainItems is { } max
                ? string.Create(CultureInfo.InvariantCulture, $"{MinTrainItems}–{max} training items")
                : string.Create(CultureInfo.InvariantCulture, $"{MinTrainItems}+ training items"));
        return string.Join(", ", parts);
    }

    /// <summary>
    /// The selected users of <paramref name="users"/> (those with a relevant item), ascending; <paramref name="train"/>
    /// gives each user's training interactions. The tail is taken over all of <paramref name="users"/>, then the range applies.
    /// </summary>
    /// <exception cref="ArgumentException">The range is empty or negative, or no user is left.</exception>
    public int[] Apply(IEnumerable<int> users, Data.UserItems train)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(train);
        if (MinTrainItems < 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The least number of training items must be ≥ 0, got {MinTrainItems}."));
        if (MaxTrainItems is { } hi && hi < MinTrainItems)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The training-item range {MinTrainItems}–{hi} is empty: the largest number is below the least."));
        var pool = users.Distinct().Order().ToArray();
        var kept = (Tail ? UserGroups.Tail(pool, train) : pool)
            .Where(u => train.Degree(u) >= MinTrainItems && (MaxTrainItems is not { } max || train.Degree(u) <= max)).ToArray();
        if (kept.Length == 0)
            throw new ArgumentException($"No user to evaluate is left with {Describe()} (of {pool.Length:N0} users with a relevant item).");
        return kept;
    }
}
