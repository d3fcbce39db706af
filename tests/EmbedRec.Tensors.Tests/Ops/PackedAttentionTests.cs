using Xunit;

namespace EmbedRec.Tensors.Tests.Operations;

public class PackedAttentionTests
{
    /// <summary>
    /// The padded reference: each sequence left-padded to T with P padding tokens whose key and value are the given
    /// vectors, attention composed from MatMul, MaskedFill and Softmax (causal masks hide later keys only; padding keys
    /// enter the softmax, as in the SEvo authors' SASRec). Returns the real rows, packed.
    /// </summary>
    private static float[] Reference(float[] q, float[] k, float[] v, SequencePacking p, int heads, bool causal, float[]? padKey, float[]? padValue, int e)
    {
        int dh = e / heads;
        var result = new float[p.Tokens * e];
        for (int s = 0; s < p.Count; s++)
        {
            int len = p.Lengths[s], pads = p.PadCounts[s], t = len + pads, off = p.Offsets[s];
            for (int h = 0; h < heads; h++)
            {
                var qs = new float[t * dh]; var ks = new float[t * dh]; var vs = new float[t * dh];
                for (int r = 0; r < t; r++)
                    for (int c = 0; c < dh; c++)
                    {
                        bool pad = r < pads;
                        int src = (off + r - pads) * e + h * dh + c;
                        qs[r * dh + c] = pad ? 0f : q[src];
                        ks[r * dh + c] = pad ? padKey![h * dh + c] : k[src];
                        vs[r * dh + c] = pad ? padValue![h * dh + c] : v[src];
                    }
                var scores = Ops.MulScalar(Ops.MatMul(Tensor.FromArray(qs, t, dh), Tensor.FromArray(ks, t, dh), false, true), 1f / MathF.Sqrt(dh));
                if (causal)
                {
                    var mask = new bool[t * t];
                    for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) mask[i * t + j] = true;
                    scores = Ops.MaskedFill(scores, mask, [t, t], float.NegativeInfinity);
                }
                var o = Ops.MatMul(Ops.Softmax(scores), Tensor.FromArray(vs, t, dh)).ToArray();
                for (int r = 0; r < len; r++)
                    for (int c = 0; c < dh; c++) result[(off + r) * e + h * dh + c] = o[(pads + r) * dh + c];
            }
        }
        return result;
    }

    [Theory]
    [InlineData(true, 1, true)]
    [InlineData(true, 2, false)]
    [InlineData(false, 4, false)]
    [InlineData(false, 2, true)]
    public void MatchesThePaddedComposition(bool causal, int heads, bool withPads)
    {
        var rng = new Rng(11);
        int e = 8;
        var p = new SequencePacking([3, 1, 5, 2], withPads ? [2, 4, 0, 7] : null);
        var q = Tensor.RandomNormal(rng, [p.Tokens, e]);
        var k = Tensor.RandomNormal(rng, [p.Tokens, e]);
        var v = Tensor.RandomNormal(rng, [p.Tokens, e]);
        var pk = Tensor.RandomNormal(rng, [e]);
        var pv = Tensor.RandomNormal(rng, [e]);
        var got = Ops.PackedAttention(q, k, v, p, heads, causal, withPads ? pk : null, withPads ? pv : null).ToArray();
        var want = Reference(q.ToArray(), k.ToArray(), v.ToArray(), p, heads, causal, pk.ToArray(), pv.ToArray(), e);
        GradCheck.Close(want, got, 1e-5f);
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    public void Gradients(bool causal, int heads)
    {
        var rng = new Rng(12);
        int e = 4;
        var p = new SequencePacking([3, 1, 4], [1, 3, 0]);
        var q = GradCheck.Param(rng, p.Tokens, e);
        var k = GradCheck.Param(rng, p.Tokens, e);
        var v = GradCheck.Param(rng, p.Tokens, e);
        var pk = GradCheck.Param(rng, e);
        var pv = GradCheck.Param(rng, e);
        GradCheck.Check(t => Ops.PackedAttention(t[0], t[1], t[2], p, heads, causal, t[3], t[4]), [q, k, v, pk, pv]);
    }

    [Fact]
    public void GradientsWithDropoutUseTheForwardsMasks()
    {
        var rng = new Rng(13);
        int e = 4;
        var p = new SequencePacking([4, 2], [3, 5]);
        var q = GradCheck.Param(rng, p.Tokens, e);
        var k = GradCheck.Param(rng, p.Tokens, e);
        var v = GradCheck.Param(rng, p.Tokens, e);
        var pk = GradCheck.Param(rng, e);
        var pv = GradCheck.Param(rng, e);
        // A fresh generator per call: every evaluation draws the same masks, so finite differences see one function.
        GradCheck.Check(t => Ops.PackedAttention(t[0], t[1], t[2], p, 2, true, t[3], t[4], 0.4f, new Rng(99)), [q, k, v, pk, pv]);
    }

    [Fact]
    public void DropoutIsUnbiasedAndDropsPaddingKeysBinomially()
    {
        // One query, one real key with value 0 and P = 6 padding keys with value 1 and the same score:
        // without dropout the output is 6/7; with dropout p its expectation is still 6/7, and output·7·(1 − p) counts the kept pads.
        int e = 1;
        var p = new SequencePacking([1], [6]);
        var zero = Tensor.Zeros(1, e);
        var pk = Tensor.Zeros(e);
        var pv = Tensor.Ones(e);
        Assert.Equal(6f / 7f, Ops.PackedAttention(zero, zero, zero, p, 1, true, pk, pv).ToArray()[0], 5);
        var rng = new Rng(5);
        float drop = 0.3f;
        int trials = 20000;
        double mean = 0;
        var counts = new int[7];
        for (int t = 0; t < trials; t++)
        {
            float y = Ops.PackedAttention(zero, zero, zero, p, 1, true, pk, pv, drop, rng).ToArray()[0];
            mean += y;
            counts[(int)MathF.Round(y * 7f * (1f - drop))]++;
        }
        mean /= trials;
        Assert.Equal(6.0 / 7.0, mean, 2);
        // Binomial(6, 0.7): P(6 kept) = 0.7⁶ ≈ 0.1176, P(4 kept) = 15·0.7⁴·0.3² ≈ 0.3241.
        Assert.Equal(0.1176, counts[6] / (double)trials, 2);
        Assert.Equal(0.3241, counts[4] / (double)trials, 2);
    }

    [Fact]
    public void ResultsDoNotDependOnTheThreadCount()
    {
        var rng = new Rng(14);
        int e = 16;
        var lengths = Enumerable.Range(0, 300).Select(i => 1 + i % 37).ToArray();
        var p = new SequencePacking(lengths, lengths.Select(l => 50 - l).ToArray());
        var q = Tensor.RandomNormal(rng, [p.Tokens, e]);
        var pk = Tensor.RandomNormal(rng, [e]);
        float[] Run(int threads)
        {
            Ops.PackedAttentionThreads = threads;
            try
            {
                var x = q.Detach();
                x.RequiresGrad = true;
                var y = Ops.PackedAttention(x, x, x, p, 2, true, pk, pk, 0.2f, new Rng(3)).Retain();
                Ops.Sum(Ops.Mul(y, y)).Backward();
                return [.. y.ToArray(), .. x.Grad!.ToArray()];
            }
            finally { Ops.PackedAttentionThreads = null; }
        }
        Assert.Equal(Run(1), Run(2));
        Assert.Equal(Run(1), Run(3));
    }

    [Fact]
    public void BadInputsNameTheProblem()
    {
        var p = new SequencePacking([2, 1], [1, 0]);
        var x = Tensor.Zeros(3, 4);
        Assert.Contains("padKey", Assert.Throws<ArgumentException>(() => Ops.PackedAttention(x, x, x, p, 1, true)).Message);
        Assert.Contains("3 heads", Assert.Throws<ArgumentException>(() => Ops.PackedAttention(x, x, x, p, 3, true, Tensor.Zeros(4), Tensor.Zeros(4))).Message);
        Assert.Contains("[3, E]", Assert.Throws<ArgumentException>(() => Ops.PackedAttention(Tensor.Zeros(2, 4), x, x, p, 1, true, Tensor.Zeros(4), Tensor.Zeros(4))).Message);
        Assert.Contains("length 0", Assert.Throws<ArgumentOutOfRangeException>(() => new SequencePacking([2, 0])).Message);
    }
}
