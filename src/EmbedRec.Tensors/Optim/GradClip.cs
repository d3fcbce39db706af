namespace EmbedRec.Tensors.Optim;

/// <summary>Gradient clipping.</summary>
public static class GradClip
{
    /// <summary>
    /// Scales all gradients (dense and row-sparse) so that their joint L2 norm is at most
    /// <paramref name="maxNorm"/>, as PyTorch's clip_grad_norm_ (factor maxNorm/(norm + 1e-6)).
    /// Returns the norm before clipping.
    /// </summary>
    public static float ClipByNorm(IEnumerable<Tensor> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum norm must be positive.");
        var ps = parameters.ToList();
        double sq = 0;
        foreach (var p in ps)
        {
            if (p.Grad is { } g) { float n = TensorPrimitives.Norm(g.Span); sq += (double)n * n; }
            if (p.SparseGrad is { Count: > 0 } s)
            {
                if (p.Grad is null)
                {
                    s.Coalesce();
                    for (int e = 0; e < s.Count; e++) { float n = TensorPrimitives.Norm(s.Values(e)); sq += (double)n * n; }
                }
                else
                {
                    // Mixed dense and sparse parts: measure their sum.
                    var dense = p.Grad.ToArray();
                    s.AddTo(dense);
                    float nd = TensorPrimitives.Norm(p.Grad.Span), nt = TensorPrimitives.Norm(dense);
                    sq += (double)nt * nt - (double)nd * nd;
                }
            }
        }
        float total = (float)Math.Sqrt(sq);
        float coef = maxNorm / (total + 1e-6f);
        if (coef < 1f)
            foreach (var p in ps)
            {
                if (p.Grad is { } g) TensorPrimitives.Multiply(g.Span, coef, g.Span);
                if (p.SparseGrad is { } s)
                    for (int e = 0; e < s.Count; e++) TensorPrimitives.Multiply(s.Values(e), coef, s.Values(e));
            }
        return total;
    }
}
