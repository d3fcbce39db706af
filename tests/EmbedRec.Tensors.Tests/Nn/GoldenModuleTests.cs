using EmbedRec.Tensors.Nn;
using Xunit;

namespace EmbedRec.Tensors.Tests.Nn;

/// <summary>Outputs and gradients against PyTorch 1.13 (Fixtures/make_golden.py).</summary>
public class GoldenModuleTests
{
    [Fact]
    public void LayerNormMatchesPyTorch()
    {
        var c = Golden.Case("layer_norm");
        var m = new LayerNorm(5);
        Golden.LoadState(m, c);
        var x = Golden.Input(c, "x");
        Golden.Verify(c, m, [m.Forward(x)], new() { ["x"] = x });
    }

    [Fact]
    public void AttentionWithCausalAndPaddingMasksMatchesPyTorch()
    {
        var c = Golden.Case("attention");
        var m = new MultiheadAttention(8, 2, new Rng(1));
        Golden.LoadState(m, c);
        var x = Golden.Input(c, "x");
        var pad = c.GetProperty("key_padding").EnumerateArray().Select(e => e.GetBoolean()).ToArray();
        Golden.Verify(c, m, [m.Forward(x, causal: true, keyPadding: pad)], new() { ["x"] = x });
    }

    [Theory]
    [InlineData("gru", true)]
    [InlineData("gru_nobias", false)]
    public void GruMatchesPyTorch(string name, bool bias)
    {
        var c = Golden.Case(name);
        var m = new GRU(3, 4, new Rng(1), bias);
        Golden.LoadState(m, c);
        var x = Golden.Input(c, "x");
        var h0 = Golden.Input(c, "h0");
        var (output, last) = m.Forward(x, Ops.Reshape(h0, 2, 4));
        Golden.Verify(c, m, [output, last], new() { ["x"] = x, ["h0"] = h0 });
    }

    [Fact]
    public void Conv2dMatchesPyTorch()
    {
        var c = Golden.Case("conv2d");
        var m = new Conv2d(2, 3, 3, new Rng(1), stride: 2, padding: 1);
        Golden.LoadState(m, c);
        var x = Golden.Input(c, "x");
        Golden.Verify(c, m, [m.Forward(x)], new() { ["x"] = x });
    }

    [Fact]
    public void BatchNorm2dTrainingMatchesPyTorch()
    {
        var c = Golden.Case("batch_norm2d_train");
        var m = new BatchNorm2d(2);
        Golden.LoadState(m, c);
        var x = Golden.Input(c, "x");
        Golden.Verify(c, m, [m.Forward(x)], new() { ["x"] = x });
        var after = c.GetProperty("running_after");
        GradCheck.Close(Golden.Tensor(after.GetProperty("running_mean")).Span, m.RunningMean.Span, 1e-6f);
        GradCheck.Close(Golden.Tensor(after.GetProperty("running_var")).Span, m.RunningVar.Span, 1e-6f);
    }

    [Fact]
    public void BatchNorm2dEvalMatchesPyTorch()
    {
        var c = Golden.Case("batch_norm2d_eval");
        var m = new BatchNorm2d(2);
        Golden.LoadState(m, c);
        m.Eval();
        var x = Golden.Input(c, "x");
        Golden.Verify(c, m, [m.Forward(x)], new() { ["x"] = x });
    }
}
