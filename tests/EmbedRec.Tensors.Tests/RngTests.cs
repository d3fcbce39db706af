using Xunit;

namespace EmbedRec.Tensors.Tests;

public class RngTests
{
    [Fact]
    public void DropoutMaskDrawsTheSameNumbersAsTheScalarLoopAndLeavesTheSameState()
    {
        var bulk = new Rng(42);
        var scalar = new Rng(42);
        var mask = new float[1001];
        bulk.FillDropoutMask(mask, 0.3f, 1f / 0.7f);
        int dropped = 0;
        for (int i = 0; i < mask.Length; i++)
        {
            float expected = scalar.NextSingle() < 0.3f ? 0f : 1f / 0.7f;
            Assert.Equal(expected, mask[i]);
            if (mask[i] == 0f) dropped++;
        }
        Assert.InRange(dropped, 250, 350); // 1,001 draws at p = 0.3: 300 ± 3.5 sd
        Assert.Equal(scalar.NextUInt64(), bulk.NextUInt64());
    }
}
