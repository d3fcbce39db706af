using EmbedRec.Tensors.Optim;
using Xunit;

namespace EmbedRec.Tensors.Tests.Optim;

/// <summary>Three optimizer steps against PyTorch 1.13 (Fixtures/make_golden.py).</summary>
public class GoldenOptimizerTests
{
    private static void Run(string name, Func<Tensor, Optimizer> make, bool sparse = false)
    {
        var c = Golden.Case(name);
        var p = Tensor.FromArray(Golden.Floats(c.GetProperty("start")), 6);
        p.RequiresGrad = true;
        var opt = make(p);
        var grads = c.GetProperty("grads").EnumerateArray().ToArray();
        var after = c.GetProperty("after").EnumerateArray().ToArray();
        for (int s = 0; s < grads.Length; s++)
        {
            opt.ZeroGrad();
            var g = Golden.Floats(grads[s]);
            if (sparse)
            {
                // The same gradient as a row-sparse [6, 1] gradient, rows given twice and in halves.
                p.SparseGrad ??= new RowSparseGradient(6, 1);
                for (int r = 5; r >= 0; r--) { p.SparseGrad.Add(r, [g[r] / 2]); p.SparseGrad.Add(r, [g[r] / 2]); }
            }
            else
            {
                p.Grad ??= Tensor.Zeros(6);
                g.CopyTo(p.Grad.Span);
            }
            opt.Step();
            GradCheck.Close(Golden.Floats(after[s]), p.Span, 1e-6f, 1e-5f, $"{name} step {s + 1}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AdamMatchesPyTorch(bool sparse) =>
        Run("adam", p => new Adam([p], new AdamOptions { LearningRate = 0.01f, Beta2 = 0.98f, WeightDecay = 0.1f }), sparse);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AdamWMatchesPyTorch(bool sparse) =>
        Run("adamw", p => new AdamW([p], new AdamOptions { LearningRate = 0.01f, Beta2 = 0.98f, WeightDecay = 0.1f }), sparse);

    [Fact]
    public void SgdNesterovMatchesPyTorch() =>
        Run("sgd_momentum", p => new Sgd([p], new SgdOptions { LearningRate = 0.1f, Momentum = 0.9f, WeightDecay = 0.01f, Nesterov = true }));
}
