namespace EmbedRec.Data.Splits;

/// <summary>What a split did, in numbers and words.</summary>
/// <param name="Protocol">Short description, e.g. "leave-one-out".</param>
/// <param name="Users">Users with at least one interaction.</param>
/// <param name="ShortUsers">Users too short for the protocol.</param>
/// <param name="ShortUserHandling">What happened to them.</param>
/// <param name="TestUsersWithoutTraining">Users with test interactions but none in training.</param>
public sealed record SplitReport(string Protocol, int Users, int ShortUsers, string ShortUserHandling, int TestUsersWithoutTraining)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Protocol}: {Users} users; {ShortUsers} too short ({ShortUserHandling}); {TestUsersWithoutTraining} test users without training data";
}

/// <summary>A train/validation/test split over one shared id space. Validation may be empty.</summary>
/// <param name="Train">Training interactions.</param>
/// <param name="Valid">Validation interactions.</param>
/// <param name="Test">Test interactions.</param>
/// <param name="Report">What the split did.</param>
public sealed record DataSplit(InteractionLog Train, InteractionLog Valid, InteractionLog Test, SplitReport Report)
{
    /// <summary>Users in the id space.</summary>
    public int UserCount => Train.UserCount;

    /// <summary>Items in the id space.</summary>
    public int ItemCount => Train.ItemCount;
}

/// <summary>What to do with users too short for a protocol.</summary>
public enum ShortUserPolicy
{
    /// <summary>All their interactions go to training; they are not evaluated.</summary>
    TrainOnly,

    /// <summary>They are removed from every part.</summary>
    Drop,

    /// <summary>The split fails, naming the first such user.</summary>
    Error,
}
