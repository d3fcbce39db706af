using System.Numerics.Tensors;
using EmbedRec.Tensors.Nn;
using Xunit;

namespace EmbedRec.Tensors.Tests.Operations;

public class PackedGruTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void GradientMatchesFiniteDifferences(bool withBias)
    {
        var rng = new Rng(21);
        int i = 2, h = 3;
        var x = GradCheck.Param(rng, 4, 5, i);
        var wIh = GradCheck.ParamUniform(rng, -0.8f, 0.8f, 3 * h, i);
        var wHh = GradCheck.ParamUniform(rng, -0.8f, 0.8f, 3 * h, h);
        var bIh = GradCheck.ParamUniform(rng, -0.5f, 0.5f, 3 * h);
        var bHh = GradCheck.ParamUniform(rng, -0.5f, 0.5f, 3 * h);
        int[] lengths = [2, 5, 1, 5];
        if (withBias) GradCheck.Check(t => Ops.PackedGru(t[0], lengths, t[1], t[2], t[3], t[4]), [x, wIh, wHh, bIh, bHh]);
        else GradCheck.Check(t => Ops.PackedGru(t[0], lengths, t[1], t[2]), [x, wIh, wHh]);
    }

    [Theory]
    [InlineData(new[] { 3, 7, 1, 4, 7, 2 }, true)]
    [InlineData(new[] { 3, 7, 1, 4, 7, 2 }, false)]
    [InlineData(new[] { 4, 4, 4 }, true)]       // lengths all equal
    [InlineData(new[] { 1, 1 }, false)]         // length-1 rows only
    [InlineData(new[] { 5 }, true)]
    public void EqualsGruModuleOnEachRealPrefix(int[] lengths, bool withBias) => CompareWithModule(lengths, withBias, 5, 6);

    [Fact]
    public void EqualsGruModuleWhenStepsRunInParallelBlocks()
    {
        var rng = new Rng(41);
        var lengths = Enumerable.Range(0, 300).Select(_ => 1 + rng.NextInt(6)).ToArray();
        CompareWithModule(lengths, true, 8, 64);
    }

    private static void CompareWithModule(int[] lengths, bool withBias, int inF, int h)
    {
        int b = lengths.Length, t = lengths.Max() + 1;
        var rng = new Rng(31);
        var gru = new GRU(inF, h, rng, withBias);
        var x1 = GradCheck.Param(rng, b, t, inF);
        var x2 = Copy(x1);
        var wIh = Copy(gru.WeightIh); var wHh = Copy(gru.WeightHh);
        var bIh = withBias ? Copy(gru.BiasIh!) : null;
        var bHh = withBias ? Copy(gru.BiasHh!) : null;
        var weights = Tensor.RandomUniform(new Rng(3), [b, h], -1f, 1f);

        var fused = Ops.PackedGru(x1, lengths, wIh, wHh, bIh, bHh);
        var lasts = new Tensor[b];
        for (int r = 0; r < b; r++) lasts[r] = gru.Forward(Ops.Slice(Ops.Slice(x2, 0, r, 1), 1, 0, lengths[r])).Last;
        var composed = Ops.Concat(lasts, 0);
        GradCheck.Close(composed.Span, fused.Span, 1e-6f, 1e-5f, "output");
        Ops.Sum(Ops.Mul(fused, weights)).Backward();
        Ops.Sum(Ops.Mul(composed, weights)).Backward();
        GradCheck.Close(x2.Grad!.Span, x1.Grad!.Span, 1e-6f, 1e-5f, "dx");
        CloseSummed(gru.WeightIh.Grad!, wIh.Grad!, "dWih");
        CloseSummed(gru.WeightHh.Grad!, wHh.Grad!, "dWhh");
        if (withBias)
        {
            CloseSummed(gru.BiasIh!.Grad!, bIh!.Grad!, "dbIh");
            CloseSummed(gru.BiasHh!.Grad!, bHh!.Grad!, "dbHh");
        }
        // Padding never reaches the output.
        var dx = x1.Grad!.Span;
        for (int r = 0; r < b; r++)
            for (int s = lengths[r]; s < t; s++)
                for (int k = 0; k < inF; k++) Assert.Equal(0f, dx[(r * t + s) * inF + k]);
    }

    [Theory]
    [InlineData("packed_gru", true)]
    [InlineData("packed_gru_nobias", false)]
    public void MatchesPyTorchPackPaddedSequence(string name, bool bias)
    {
        var c = Golden.Case(name);
        var m = new GRU(3, 4, new Rng(1), bias);
        Golden.LoadState(m, c);
        var x = Golden.Input(c, "x");
        var lengths = c.GetProperty("lengths").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var y = Ops.PackedGru(x, lengths, m.WeightIh, m.WeightHh, m.BiasIh, m.BiasHh);
        Golden.Verify(c, m, [y], new() { ["x"] = x });
    }

    [Fact]
    public void RejectsBadLengthsAndShapes()
    {
        var x = Tensor.Zeros(3, 4, 2);
        var wIh = Tensor.Zeros(9, 2);
        var wHh = Tensor.Zeros(9, 3);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.PackedGru(x, [2, 0, 4], wIh, wHh));
        Assert.Contains("lengths[1] = 0 is outside [1, 4]", ex.Message);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.PackedGru(x, [2, 5, 4], wIh, wHh));
        Assert.Contains("lengths[1] = 5", ex.Message);
        Assert.Contains("2 lengths for 3 sequences", Assert.Throws<ArgumentException>(() => Ops.PackedGru(x, [2, 3], wIh, wHh)).Message);
        Assert.Contains("wIh must be [9, 2]", Assert.Throws<ArgumentException>(() => Ops.PackedGru(x, [1, 2, 3], Tensor.Zeros(9, 3), wHh)).Message);
        Assert.Contains("wHh must be [3H, H]", Assert.Throws<ArgumentException>(() => Ops.PackedGru(x, [1, 2, 3], wIh, Tensor.Zeros(9, 4))).Message);
        Assert.Contains("bHh must be [9]", Assert.Throws<ArgumentException>(() => Ops.PackedGru(x, [1, 2, 3], wIh, wHh, null, Tensor.Zeros(3))).Message);
        Assert.Contains("[B, T, I]", Assert.Throws<ArgumentException>(() => Ops.PackedGru(Tensor.Zeros(3, 8), [1, 2, 3], wIh, wHh)).Message);
    }

    /// <summary>
    /// Parameter gradients are sums over every real token, added in a different order by the two paths,
    /// so the tolerance is relative to the gradient's largest entry rather than to each entry.
    /// </summary>
    private static void CloseSummed(Tensor expected, Tensor actual, string what) =>
        GradCheck.Close(expected.Span, actual.Span, 1e-5f * MathF.Abs(TensorPrimitives.MaxMagnitude(expected.Span)), 1e-5f, what);

    private static Tensor Copy(Tensor t)
    {
        var c = t.Detach();
        c.RequiresGrad = true;
        return c;
    }
}
