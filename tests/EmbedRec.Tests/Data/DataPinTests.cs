using System.Text.Json.Nodes;
using EmbedRec.Data;
using Xunit;

namespace EmbedRec.Tests.Data;

/// <summary><c>data.json</c>: what a run pins of its data, read back exactly, compared clause by clause, and refused by name when damaged.</summary>
public sealed class DataPinTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly string Hash = new('a', 64), Other = new('b', 64);

    private static DataPin Pin(CategoriesFingerprint? categories) => new("ml-1m", "/data/ml-1m", new DataFingerprint(100, 10, 20, Hash),
        new SplitFingerprint(80, 10, 10, 10, 20, Hash), categories);

    [Fact]
    public void CategoriesRoundTripAndAreComparedOnlyWhenBothPinsHaveThem()
    {
        var pin = Pin(new CategoriesFingerprint(3, 20, 25, Hash));
        pin.Write(_dir.Path);
        Assert.Equal(pin, DataPin.Read(_dir.Path));

        var changed = Pin(new CategoriesFingerprint(4, 20, 25, Other));
        var clause = Assert.Single(pin.Differences(changed));
        Assert.Equal("'/data/ml-1m': the item-category table is 4 categories on 20 items (25 assignments) with sha256 bbbbbbbbbbbb, " +
            "was 3 categories on 20 items (25 assignments) with sha256 aaaaaaaaaaaa", clause);
        Assert.Empty(Pin(null).Differences(changed));       // a pin written before categories were pinned
        Assert.Empty(pin.Differences(Pin(null)));
        Assert.Contains("no item categories", Assert.Single(pin.Differences(Pin(CategoriesFingerprint.Of(null)))));
    }

    [Theory]
    [InlineData("null", "'categories' is null, not an object")]
    [InlineData("{\"categories\": 3, \"assignments\": 5, \"sha256\": \"" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" + "\"}", "'categories.items' is missing")]
    [InlineData("{\"categories\": -1, \"items\": 2, \"assignments\": 5, \"sha256\": \"x\"}", "'categories.categories' is -1, not a count")]
    public void ADamagedCategoriesEntryIsRefusedByName(string value, string expected)
    {
        Pin(new CategoriesFingerprint(3, 20, 25, Hash)).Write(_dir.Path);
        var path = Path.Combine(_dir.Path, DataPin.FileName);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json["categories"] = JsonNode.Parse(value);
        File.WriteAllText(path, json.ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => DataPin.Read(_dir.Path));
        Assert.StartsWith($"{path}: not a valid data pin ({expected})", e.Message);
    }
}
