using EmbedRec.Tensors.Nn;
using Xunit;

namespace EmbedRec.Tensors.Tests.Operations;

public class LinearCrossEntropyTests
{
    private static int[] Labels(Rng rng, int m, int c) => Enumerable.Range(0, m).Select(_ => rng.NextInt(c)).ToArray();

    [Theory]
    [InlineData(true, 2)]
    [InlineData(false, 256)]
    public void GradientMatchesFiniteDifferences(bool withBias, int chunkRows)
    {
        var rng = new Rng(11);
        var h = GradCheck.Param(rng, 5, 3);
        var w = GradCheck.Param(rng, 7, 3);
        var b = GradCheck.Param(rng, 7);
        var labels = Labels(rng, 5, 7);
        if (withBias) GradCheck.Check(t => Ops.LinearCrossEntropy(t[0], t[1], t[2], labels, chunkRows), [h, w, b]);
        else GradCheck.Check(t => Ops.LinearCrossEntropy(t[0], t[1], null, labels, chunkRows), [h, w]);
    }

    [Theory]
    [InlineData(37, 19, 8, 5, true)]   // chunk size that does not divide M
    [InlineData(1, 50, 4, 256, true)]  // M = 1
    [InlineData(300, 1000, 16, 64, false)]
    [InlineData(64, 33, 8, 64, true)]  // one chunk
    public void EqualsComposedLinearAndCrossEntropy(int m, int c, int d, int chunkRows, bool withBias)
    {
        var rng = new Rng((ulong)(m * 31 + c));
        var h1 = GradCheck.Param(rng, m, d);
        var w1 = GradCheck.Param(rng, c, d);
        var b1 = GradCheck.Param(rng, c);
        var labels = Labels(rng, m, c);
        var h2 = Copy(h1); var w2 = Copy(w1); var b2 = Copy(b1);

        var fused = Ops.LinearCrossEntropy(h1, w1, withBias ? b1 : null, labels, chunkRows);
        var composed = Ops.CrossEntropy(Ops.Linear(h2, w2, withBias ? b2 : null), labels);
        Assert.Equal(composed.Item(), fused.Item(), composed.Item() * 1e-5f);
        var upstream = Tensor.FromArray([0.7f]);
        fused.Backward(upstream);
        composed.Backward(upstream);
        GradCheck.Close(h2.Grad!.Span, h1.Grad!.Span, 1e-7f, 1e-5f, "dHidden");
        GradCheck.Close(w2.Grad!.Span, w1.Grad!.Span, 1e-7f, 1e-5f, "dWeight");
        if (withBias) GradCheck.Close(b2.Grad!.Span, b1.Grad!.Span, 1e-7f, 1e-5f, "dBias");
        else Assert.Null(b1.Grad);
    }

    [Fact]
    public void SlicedWeightAndBiasGetExactGradients()
    {
        // The next-item objectives pass the item rows of a larger output layer: slices, whose gradient buffers are
        // size-classed (longer than the slice) — the bias accumulation must use exactly C of them.
        var rng = new Rng(21);
        int m = 40, c = 300, d = 8;
        var h1 = GradCheck.Param(rng, m, d);
        var w1 = GradCheck.Param(rng, c + 2, d);
        var b1 = GradCheck.Param(rng, c + 2);
        var labels = Labels(rng, m, c);
        var h2 = Copy(h1); var w2 = Copy(w1); var b2 = Copy(b1);
        var fused = Ops.LinearCrossEntropy(h1, Ops.Slice(w1, 0, 2, c), Ops.Slice(b1, 0, 2, c), labels, 16);
        var composed = Ops.CrossEntropy(Ops.Linear(h2, Ops.Slice(w2, 0, 2, c), Ops.Slice(b2, 0, 2, c)), labels);
        Assert.Equal(composed.Item(), fused.Item(), composed.Item() * 1e-5f);
        fused.Backward();
        composed.Backward();
        GradCheck.Close(w2.Grad!.Span, w1.Grad!.Span, 1e-7f, 1e-5f, "dWeight");
        GradCheck.Close(b2.Grad!.Span, b1.Grad!.Span, 1e-7f, 1e-5f, "dBias");
        Assert.Equal(0f, b1.Grad!.Span[0]);
    }

    [Fact]
    public void MatchesPyTorch()
    {
        var c = Golden.Case("linear_cross_entropy");
        var m = new Linear(6, 11, new Rng(1));
        Golden.LoadState(m, c);
        var h = Golden.Input(c, "h");
        var labels = c.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Golden.Verify(c, m, [Ops.LinearCrossEntropy(h, m.Weight, m.Bias, labels, chunkRows: 3)], new() { ["h"] = h });
    }

    [Fact]
    public void OnlyTheWeightNeedsGrad()
    {
        var rng = new Rng(5);
        var h = Tensor.RandomNormal(rng, [9, 4]);
        var w = GradCheck.Param(rng, 6, 4);
        var labels = Labels(rng, 9, 6);
        GradCheck.Check(t => Ops.LinearCrossEntropy(h, t[0], null, labels, 4), [w]);
        Assert.Null(h.Grad);
    }

    [Fact]
    public void RejectsBadArguments()
    {
        var h = Tensor.Zeros(3, 4);
        var w = Tensor.Zeros(5, 4);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.LinearCrossEntropy(h, w, null, [0, 5, 1]));
        Assert.Contains("label 5 at row 1 is outside [0, 5)", ex.Message);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.LinearCrossEntropy(h, w, null, [0, 1, -1]));
        Assert.Contains("label -1 at row 2", ex.Message);
        Assert.Contains("2 labels for 3 rows", Assert.Throws<ArgumentException>(() => Ops.LinearCrossEntropy(h, w, null, [0, 1])).Message);
        Assert.Contains("[M, d]", Assert.Throws<ArgumentException>(() => Ops.LinearCrossEntropy(h, Tensor.Zeros(5, 3), null, [0, 1, 2])).Message);
        Assert.Contains("bias", Assert.Throws<ArgumentException>(() => Ops.LinearCrossEntropy(h, w, Tensor.Zeros(4), [0, 1, 2])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.LinearCrossEntropy(h, w, null, [0, 1, 2], chunkRows: 0));
    }

    [Fact]
    public void TrainingAndEvaluationPassesGiveTheSameLoss()
    {
        // With tracking the gradients are formed in the forward pass and the backward only scales them: the loss must be
        // the one the no-grad pass computes, and a retained graph must give the same gradient each time it is replayed.
        var rng = new Rng(8);
        var h = GradCheck.Param(rng, 70, 8);
        var w = GradCheck.Param(rng, 90, 8);
        var labels = Labels(rng, 70, 90);
        float evalLoss;
        using (GradMode.NoGrad()) evalLoss = Ops.LinearCrossEntropy(h, w, null, labels, 16).Item();
        var loss = Ops.LinearCrossEntropy(h, w, null, labels, 16);
        Assert.Equal(evalLoss, loss.Item());
        loss.Backward(Tensor.FromArray([2f]), retainGraph: true);
        var first = w.Grad!.ToArray();
        loss.Backward(Tensor.FromArray([2f]));
        var twice = w.Grad!.ToArray();
        for (int i = 0; i < first.Length; i++) Assert.Equal(2 * first[i], twice[i], 1e-6f);
        Assert.Contains(first, v => v != 0f);
    }

    [Fact]
    public void AFrozenBiasGetsNoGradientAndRepeatedCallsStayExact()
    {
        // The gradients formed in the forward pass go into pooled buffers: a second identical call (reusing what the first
        // returned) must give the same gradient, and a bias that does not require grad must be left without one.
        var rng = new Rng(31);
        int m = 45, c = 130, d = 8;
        var w = GradCheck.Param(rng, c, d);
        var bias = Tensor.RandomNormal(rng, [c]);
        var labels = Labels(rng, m, c);
        var hData = Tensor.RandomNormal(rng, [m, d]);
        float[] Once()
        {
            var h = Copy(hData);
            var loss = Ops.LinearCrossEntropy(h, w, bias, labels, 16);
            loss.Backward();
            return h.Grad!.ToArray();
        }
        var first = Once();
        w.Grad = null;
        Assert.Equal(first, Once());
        Assert.Null(bias.Grad);
        var hc = Copy(hData); var wc = Copy(w);
        Ops.CrossEntropy(Ops.Linear(hc, wc, bias), labels).Backward();
        GradCheck.Close(hc.Grad!.Span, first, 1e-7f, 1e-5f, "dHidden");
    }

    [Fact]
    public void EmptyBatchIsZero()
    {
        var w = GradCheck.Param(new Rng(1), 5, 4);
        var loss = Ops.LinearCrossEntropy(Tensor.Zeros(0, 4), w, null, []);
        Assert.Equal(0f, loss.Item());
        loss.Backward();
        var h = GradCheck.Param(new Rng(2), 0, 4);
        var b = GradCheck.Param(new Rng(3), 5);
        var tracked = Ops.LinearCrossEntropy(h, w, b, []);
        Assert.Equal(0f, tracked.Item());
        tracked.Backward();
        Assert.All(b.Grad?.ToArray() ?? [], v => Assert.Equal(0f, v));
    }

    private static Tensor Copy(Tensor t)
    {
        var c = t.Detach();
        c.RequiresGrad = true;
        return c;
    }
}
