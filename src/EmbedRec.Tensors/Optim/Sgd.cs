namespace EmbedRec.Tensors.Optim;

/// <summary>Options of <see cref="Sgd"/>; defaults are PyTorch's except the learning rate.</summary>
public sealed record SgdOptions
{
    /// <summary>Step size.</summary>
    public float LearningRate { get; init; } = 0.01f;

    /// <summary>Momentum factor (0 = none).</summary>
    public float Momentum { get; init; }

    /// <summary>Dampening of the momentum buffer.</summary>
    public float Dampening { get; init; }

    /// <summary>L2 penalty added to the gradient.</summary>
    public float WeightDecay { get; init; }

    /// <summary>Nesterov momentum.</summary>
    public bool Nesterov { get; init; }
}

/// <summary>
/// Stochastic gradient descent with momentum and weight decay, as PyTorch's torch.optim.SGD.
/// Without momentum and weight decay a row-sparse gradient updates only its rows.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly float[]?[] _momentum;
    private readonly float[]?[] _work;

    /// <summary>Creates the optimizer.</summary>
    public Sgd(IEnumerable<Tensor> parameters, SgdOptions? options = null)
        : this(ByIndex(parameters), options)
    {
    }

    /// <summary>Creates the optimizer over named parameters (its state is keyed by these names).</summary>
    public Sgd(IEnumerable<KeyValuePair<string, Tensor>> parameters, SgdOptions? options = null)
        : base(parameters, (options ?? new SgdOptions()).LearningRate)
    {
        Options = options ?? new SgdOptions();
        CheckNonNegative(Options.Momentum, "momentum");
        CheckNonNegative(Options.WeightDecay, "weight decay");
        if (Options.Nesterov && (Options.Momentum <= 0 || Options.Dampening != 0))
            throw new ArgumentException("Nesterov momentum needs a positive momentum and zero dampening.");
        _momentum = new float[Parameters.Count][];
        _work = new float[Parameters.Count][];
    }

    /// <summary>The options.</summary>
    public SgdOptions Options { get; }

    /// <summary>The momentum buffer of parameter <paramref name="index"/> (null before its first step).</summary>
    public float[]? MomentumBuffer(int index) => _momentum[index];

    /// <inheritdoc />
    public override IReadOnlyList<KeyValuePair<string, float[]>> ExportState() =>
        Enumerable.Range(0, Parameters.Count).Where(i => _momentum[i] is not null).Select(i => new KeyValuePair<string, float[]>(StateKey("momentum", i), _momentum[i]!)).ToList();

    /// <inheritdoc />
    protected internal override void ImportBuffer(string kind, int index, float[] values)
    {
        if (kind == "momentum") _momentum[index] = (float[])values.Clone();
        else base.ImportBuffer(kind, index, values);
    }

    /// <inheritdoc />
    /// <remarks>Δ = b with b ← μ·b + (g + wd·p) (b = g + wd·p without momentum); dampening and Nesterov do not apply here.</remarks>
    protected internal override void Direction(int index, Tensor p, int step, Span<float> direction, int width, bool correctInactiveRows)
    {
        var grad = DenseGradient(index, p);
        var b = _momentum[index] ??= new float[p.Size];
        float mu = Options.Momentum, wd = Options.WeightDecay;
        if (grad.IsEmpty) direction.Clear(); else grad.CopyTo(direction);
        if (wd != 0f) TensorPrimitives.MultiplyAdd(p.Span, wd, direction, direction);
        if (mu != 0f) TensorPrimitives.MultiplyAdd(b, mu, direction, b); else direction.CopyTo(b);
        b.CopyTo(direction);
    }

    /// <inheritdoc />
    protected internal override void Update(int index, Tensor p, int step)
    {
        var o = Options;
        float lr = LearningRate;
        if (o.Momentum == 0 && o.WeightDecay == 0 && HasOnlySparse(p))
        {
            var sg = p.SparseGrad!;
            int w = sg.Width;
            var ps = p.Span;
            for (int e = 0; e < sg.Count; e++)
            {
                var row = ps.Slice(sg.Rows[e] * w, w);
                TensorPrimitives.MultiplyAdd(sg.Values(e), -lr, row, row);
            }
            return;
        }
        var g = DenseGradient(index, p);
        if (g.IsEmpty) return;
        var data = p.Span;
        if (o.WeightDecay == 0 && o.Momentum == 0)
        {
            TensorPrimitives.MultiplyAdd(g, -lr, data, data);
            return;
        }
        var d = (_work[index] ??= new float[p.Size]).AsSpan();
        if (o.WeightDecay != 0) TensorPrimitives.MultiplyAdd(data, o.WeightDecay, g, d); else g.CopyTo(d);
        if (o.Momentum != 0)
        {
            var m = _momentum[index];
            if (m is null) m = _momentum[index] = d.ToArray();
            else
            {
                TensorPrimitives.Multiply(m, o.Momentum, m);
                TensorPrimitives.MultiplyAdd(d, 1 - o.Dampening, m.AsSpan(), m);
            }
            if (o.Nesterov) TensorPrimitives.MultiplyAdd(m, o.Momentum, d, d);
            else m.CopyTo(d);
        }
        TensorPrimitives.MultiplyAdd(d, -lr, data, data);
    }
}
