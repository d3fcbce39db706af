using EmbedRec.Data;
using EmbedRec.Data.Registry;
using Xunit;

namespace EmbedRec.Tests.Data;

/// <summary>Counts from each ../shared/data README, read through the registry by name.</summary>
public class SharedDataTests
{
    private static DatasetRegistry Reg() => new(SharedData.Root!, KnownDatasets.All);

    [SharedDataFact]
    public void EveryFolderReproducesItsReadmeCounts()
    {
        var expected = new Dictionary<string, (int Users, int Items, int Interactions)>
        {
            ["amazon-beauty"] = (22_363, 12_101, 198_502),
            ["amazon-toys"] = (19_412, 11_924, 167_597),
            ["citeulike-a"] = (5_551, 16_980, 204_986),
            ["citeulike-directspec"] = (5_551, 16_980, 210_537),
            ["gowalla"] = (29_858, 40_981, 1_027_370),
            ["yelp2018"] = (31_668, 38_048, 1_561_406),
            ["ml-100k"] = (943, 1_682, 100_000),
            ["ml-1m-implicit"] = (6_040, 3_695, 920_193),
        };
        var reg = Reg();
        foreach (var (name, want) in expected)
        {
            var s = DatasetStats.Compute(reg.Load(name).Log);
            Assert.True((s.Users, s.Items, s.Interactions) == want, $"{name}: got {(s.Users, s.Items, s.Interactions)}, README says {want}");
        }
        var split = reg.Load("gowalla").Predefined!;
        Assert.Equal((810_128, 217_242), (split.Train.Count, split.Test.Count));
        var ml = reg.Load("ml-100k").Log;
        Assert.Equal(19, ml.Categories!.Names.Count);
    }

    [SharedDataFact]
    public void BeautyFiveCoreLeaveOneOut()
    {
        var reg = Reg();
        var entry = reg.Get("amazon-beauty");
        var split = entry.DefaultProtocol().Apply(reg.Load("amazon-beauty").Log);
        Assert.Equal(22_363, split.UserCount);
        Assert.Equal(12_101, split.ItemCount);
        Assert.Equal(198_502, split.Train.Count + split.Valid.Count + split.Test.Count);
        Assert.Equal(22_363, split.Test.Count);
        Assert.Equal(22_363, split.Valid.Count);
        // The sequence file gives the same log as the pairs file.
        var seq = EmbedRec.Data.Readers.UserLinesReader.Read(Path.Combine(SharedData.Root!, "amazon-beauty", "Beauty_seq.txt")).Build();
        var pairs = reg.Load("amazon-beauty").Log;
        Assert.Equal(pairs.Item.Select(i => pairs.Items[i]), seq.Item.Select(i => seq.Items[i]));
    }
}
