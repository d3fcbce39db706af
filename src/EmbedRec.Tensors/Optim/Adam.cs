namespace EmbedRec.Tensors.Optim;

/// <summary>Options of <see cref="Adam"/> and <see cref="AdamW"/>; defaults are PyTorch's.</summary>
public sealed record AdamOptions
{
    /// <summary>Step size.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Decay of the first moment.</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>Decay of the second moment.</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>Added to the denominator, outside the square root.</summary>
    public float Eps { get; init; } = 1e-8f;

    /// <summary>Adam: L2 penalty added to the gradient. AdamW: decoupled decay (PyTorch's AdamW default is 0.01).</summary>
    public float WeightDecay { get; init; }

    /// <summary>
    /// Row-sparse gradients update only their rows' moments and values (PyTorch's SparseAdam).
    /// Off by default: a sparse gradient then behaves exactly like the dense gradient with zero rows.
    /// </summary>
    public bool LazySparse { get; init; }
}

/// <summary>
/// Adam (Kingma and Ba, ICLR 2015) as PyTorch's torch.optim.Adam: weight decay is an L2 term
/// added to the gradient; p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε).
/// </summary>
public class Adam : Optimizer
{
    private readonly float[]?[] _m, _v;

    /// <summary>Creates the optimizer.</summary>
    public Adam(IEnumerable<Tensor> parameters, AdamOptions? options = null)
        : this(ByIndex(parameters), options)
    {
    }

    /// <summary>Creates the optimizer over named parameters (its state is keyed by these names).</summary>
    public Adam(IEnumerable<KeyValuePair<string, Tensor>> parameters, AdamOptions? options = null)
        : base(parameters, (options ?? new AdamOptions()).LearningRate)
    {
        Options = options ?? new AdamOptions();
        CheckUnit(Options.Beta1, "beta1");
        CheckUnit(Options.Beta2, "beta2");
        CheckNonNegative(Options.WeightDecay, "weight decay");
        if (!(Options.Eps > 0)) throw new ArgumentOutOfRangeException(nameof(options), Options.Eps, "eps must be positive.");
        _m = new float[Parameters.Count][];
        _v = new float[Parameters.Count][];
    }

    /// <summary>The options.</summary>
    public AdamOptions Options { get; }

    /// <summary>Decoupled weight decay (AdamW) instead of L2 in the gradient (Adam).</summary>
    protected virtual bool Decoupled => false;

    /// <summary>First-moment estimate of parameter <paramref name="index"/> (null before its first step).</summary>
    public float[]? FirstMoment(int index) => _m[index];

    /// <summary>Second-moment estimate of parameter <paramref name="index"/>.</summary>
    public float[]? SecondMoment(int index) => _v[index];

    /// <inheritdoc />
    public override IReadOnlyList<KeyValuePair<string, float[]>> ExportState()
    {
        var list = new List<KeyValuePair<string, float[]>>();
        for (int i = 0; i < Parameters.Count; i++)
        {
            if (_m[i] is { } m) list.Add(new(StateKey("m", i), m));
            if (_v[i] is { } v) list.Add(new(StateKey("v", i), v));
        }
        return list;
    }

    /// <inheritdoc />
    protected internal override void ImportBuffer(string kind, int index, float[] values)
    {
        if (kind == "m") _m[index] = (float[])values.Clone();
        else if (kind == "v") _v[index] = (float[])values.Clone();
        else base.ImportBuffer(kind, index, values);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Δ = m/(1−β₁ᵗ) / (√v/√(1−β₂ᵗ) + ε) after the moment update (AdamW decays p first). An inactive row with the
    /// correction (AdamW only, as the authors' code) uses ĝ = m/(1−β₁ˢ), ĝ² = v/(1−β₂ˢ), s = max(1, t − 1).
    /// </remarks>
    protected internal override void Direction(int index, Tensor p, int step, Span<float> direction, int width, bool correctInactiveRows)
    {
        var o = Options;
        var m = _m[index] ??= new float[p.Size];
        var v = _v[index] ??= new float[p.Size];
        int s = Math.Max(1, step - 1);
        var st = new AdamStep(LearningRate, o.Beta1, o.Beta2, o.WeightDecay, o.Eps, StepSize: 0f, MathF.Sqrt(1f - MathF.Pow(o.Beta2, step)), Decoupled,
            Bc1: 1f - MathF.Pow(o.Beta1, step), C1: 1f / (1f - MathF.Pow(o.Beta1, s)), C2: 1f / (1f - MathF.Pow(o.Beta2, s)), Correction: correctInactiveRows);
        if (HasOnlySparse(p))
        {
            var sg = p.SparseGrad!;
            sg.Coalesce();
            AdamKernel.SparseRows<DirectionMode>(p.Span, sg.Rows, sg.AllValues, width, m, v, direction, st);
        }
        else AdamKernel.Dense<DirectionMode>(p.Span, DenseGradient(index, p), width, m, v, direction, st);
    }

    /// <inheritdoc />
    protected internal override void Update(int index, Tensor p, int step)
    {
        var o = Options;
        var m = _m[index] ??= new float[p.Size];
        var v = _v[index] ??= new float[p.Size];
        float bc1 = 1f - MathF.Pow(o.Beta1, step), bc2 = 1f - MathF.Pow(o.Beta2, step);
        var s = new AdamStep(LearningRate, o.Beta1, o.Beta2, o.WeightDecay, o.Eps, LearningRate / bc1, MathF.Sqrt(bc2), Decoupled);
        var data = p.Span;
        if (HasOnlySparse(p))
        {
            var sg = p.SparseGrad!;
            sg.Coalesce();
            int w = sg.Width;
            if (o.LazySparse)
            {
                for (int e = 0; e < sg.Count; e++)
                {
                    int off = sg.Rows[e] * w;
                    AdamKernel.Range<ApplyMode>(data.Slice(off, w), sg.Values(e), m.AsSpan(off, w), v.AsSpan(off, w), default, s);
                }
            }
            else AdamKernel.SparseRows<ApplyMode>(data, sg.Rows, sg.AllValues, w, m, v, default, s);
            return;
        }
        var g = DenseGradient(index, p);
        if (g.IsEmpty) return;
        AdamKernel.Dense<ApplyMode>(data, g, p.Rank == 2 ? p.Dim(1) : p.Size, m, v, default, s);
    }
}

/// <summary>
/// AdamW (Loshchilov and Hutter, ICLR 2019) as PyTorch's torch.optim.AdamW: p ← p·(1 − lr·wd)
/// before the Adam update. The default weight decay is PyTorch's 0.01.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer.</summary>
    public AdamW(IEnumerable<Tensor> parameters, AdamOptions? options = null)
        : base(parameters, options ?? new AdamOptions { WeightDecay = 0.01f })
    {
    }

    /// <summary>Creates the optimizer over named parameters.</summary>
    public AdamW(IEnumerable<KeyValuePair<string, Tensor>> parameters, AdamOptions? options = null)
        : base(parameters, options ?? new AdamOptions { WeightDecay = 0.01f })
    {
    }

    /// <inheritdoc />
    protected override bool Decoupled => true;
}
