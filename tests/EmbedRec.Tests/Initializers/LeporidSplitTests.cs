using EmbedRec.Data;
using EmbedRec.Data.Splits;
using Xunit;

namespace EmbedRec.Tests.Initializers;

/// <summary>The Leporid authors' split on hand-made logs: the floor rule, ties by item id, unseen items dropped.</summary>
public sealed class LeporidSplitTests
{
    [Fact]
    public void TheFloorRuleIsPythonsFloatArithmetic()
    {
        // int(0.7 * 90) = 62 in floating point (0.7 * 90 = 62.99999...), int(0.8 * 90) = 72.
        Assert.Equal(62, LeporidSplit.TrainCount(90));
        Assert.Equal(72, LeporidSplit.TrainValidCount(90));
        Assert.Equal((7, 8), (LeporidSplit.TrainCount(10), LeporidSplit.TrainValidCount(10)));
        Assert.Equal((1, 1), (LeporidSplit.TrainCount(2), LeporidSplit.TrainValidCount(2)));
        Assert.Equal((0, 0), (LeporidSplit.TrainCount(1), LeporidSplit.TrainValidCount(1)));

        // A user with 90 items at distinct times: 62 train, 10 validation, 18 test.
        var b = new LogBuilder();
        for (int k = 0; k < 90; k++) b.Add("u", k.ToString(System.Globalization.CultureInfo.InvariantCulture), null, k);
        var s = new LeporidSplit().Split(b.Build());
        Assert.Equal(62, s.Train.Count);
        Assert.Equal(0, s.Valid.Count + s.Test.Count); // every later item is unseen in training: all dropped
        Assert.Contains("dropped 10 validation and 18 test rows on 28 items", s.Report.Protocol);
    }

    [Fact]
    public void TiesInTimeGoByItemIdUnseenItemsAreDroppedAndItemsRenumbered()
    {
        var b = new LogBuilder();
        // User a: 10 rows; times tie in pairs, file order puts the larger item id first. Items 10 < 9 as strings but not as numbers.
        (string Item, long T)[] a = [("3", 1), ("2", 1), ("5", 2), ("4", 2), ("7", 3), ("6", 3), ("10", 4), ("9", 4), ("11", 5), ("12", 6)];
        foreach (var (i, t) in a) b.Add("a", i, null, t);
        // User b trains on 11 and 10 (so they are known), validates on 9 and tests on 12.
        (string Item, long T)[] bRows = [("11", 1), ("10", 2), ("9", 3), ("12", 4)];
        foreach (var (i, t) in bRows) b.Add("b", i, null, t);
        var log = b.Build();
        var s = Protocol.Parse("", "leporid").Apply(log);

        // a: order 2 3 4 5 6 7 9 10 11 12; train int(7.0) = 7 → 2..9, valid int(8.0) = 8 → 10, test → 11, 12.
        // b: n = 4: train int(2.8) = 2 → 11, 10; valid int(3.2) = 3 → 9; test → 12.
        string[] Items(InteractionLog l, string user) => Enumerable.Range(0, l.Count).Where(r => l.Users[l.User[r]] == user).Select(r => l.Items[l.Item[r]]).ToArray();
        Assert.Equal(["2", "3", "4", "5", "6", "7", "9"], Items(s.Train, "a"));
        Assert.Equal(["10"], Items(s.Valid, "a"));
        Assert.Equal(["11"], Items(s.Test, "a"));     // 12 never occurs in training: dropped
        Assert.Equal(["11", "10"], Items(s.Train, "b"));
        Assert.Equal(["9"], Items(s.Valid, "b"));
        Assert.Empty(Items(s.Test, "b"));              // 12 again
        // The item space holds the training items only, in order of first appearance in train (users in order).
        Assert.Equal(["2", "3", "4", "5", "6", "7", "9", "11", "10"], s.Train.Items.External);
        Assert.Same(s.Train.Items, s.Test.Items);
        Assert.Equal(["a", "b"], s.Train.Users.External);
        Assert.Contains("dropped 0 validation and 2 test rows on 1 items", s.Report.Protocol);
    }

    [Fact]
    public void OneInteractionUsersAreShortAndRatiosAreRefused()
    {
        var b = new LogBuilder();
        b.Add("a", "x", null, 1); b.Add("a", "y", null, 2); b.Add("a", "x", null, 3);
        b.Add("lone", "x", null, 1);
        var s = new LeporidSplit().Split(b.Build());
        Assert.Equal(1, s.Report.ShortUsers);
        Assert.Equal(3, s.Train.Count); // a's first two (int(2.1) = 2) and lone's only row
        Assert.Equal(1, s.Test.Count);  // a's x again (int(2.4) = 2: no validation row)
        Assert.Throws<InvalidOperationException>(() => new LeporidSplit(ShortUserPolicy.Error).Split(b.Build()));
        Assert.Contains("takes no ratios", Assert.Throws<FormatException>(() => Protocol.Parse("", "leporid=0.6,0.2")).Message);
    }
}
