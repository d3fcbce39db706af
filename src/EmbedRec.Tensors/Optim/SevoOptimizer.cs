using EmbedRec.Tensors.Sparse;

namespace EmbedRec.Tensors.Optim;

/// <summary>A smoothed parameter group: parameters whose rows are concatenated (in order) into the graph's nodes.</summary>
/// <param name="Parameters">2-D parameters of equal width, e.g. [users; items].</param>
/// <param name="Graph">The normalized graph Ã over the concatenated rows.</param>
public sealed record SevoGroup(IReadOnlyList<Tensor> Parameters, CsrMatrix<float> Graph);

/// <summary>The optimizer SEvo wraps.</summary>
public enum SevoBase
{
    /// <summary>AdamW with decoupled weight decay (the papers' recommended base).</summary>
    AdamW,

    /// <summary>Adam with L2 in the gradient.</summary>
    Adam,

    /// <summary>SGD with momentum (the momentum buffer is smoothed).</summary>
    Sgd,
}

/// <summary>
/// SEvo-enhanced optimizers (Structure-aware Embedding Evolution; NeurIPS 2024, journal version), exactly as
/// SPEC §3.2 states the authors' code. For each smoothed group at step t:
/// AdamW: (1) p ← p·(1 − lr·wd); (2) rows whose gradient is exactly zero are inactive and, with the moment
/// correction, use ĝ = m/(1−β₁^s), ĝ² = v/(1−β₂^s), s = max(1, t−1); (3) m ← β₁m + (1−β₁)ĝ, v ← β₂v + (1−β₂)ĝ²;
/// (4) Δ = (m/(1−β₁ᵗ)) / (√v/√(1−β₂ᵗ) + ε); (5) concatenate the group's Δ rows, p ← p − lr·ψ̂(Δ).
/// Adam: g ← g + wd·p, Adam moments, ψ̂ on m̂/(√v̂+ε). SGD: b ← μb + g (g with wd·p), p ← p − lr·ψ̂(b).
/// Parameters outside groups get the plain base optimizer. With β = 0 and the correction off, SEvo-AdamW
/// equals AdamW exactly.
/// </summary>
public sealed class SevoOptimizer : Optimizer
{
    private readonly SevoBase _base;
    private readonly AdamOptions _adam;
    private readonly SgdOptions _sgd;
    private readonly (SevoGroup Group, SevoTransform Transform, int[] Indices, int Width)[] _groups;
    private readonly int[] _groupOf;       // parameter index → group index or −1
    private readonly Optimizer? _plain;    // the base optimizer over the other parameters
    private readonly int[] _plainIndex;    // parameter index → index in _plain or −1
    private readonly float[]?[] _m, _v;
    private float[]? _delta, _smoothed;

    /// <summary>Creates the optimizer over all <paramref name="parameters"/>; groups name which are smoothed.</summary>
    public SevoOptimizer(IEnumerable<Tensor> parameters, IReadOnlyList<SevoGroup> groups, SevoBase baseOptimizer, SevoOptions sevo,
        AdamOptions? adam = null, SgdOptions? sgd = null)
        : base(parameters, baseOptimizer == SevoBase.Sgd ? (sgd ?? new SgdOptions()).LearningRate : (adam ?? new AdamOptions()).LearningRate)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(sevo);
        sevo.Validate();
        Sevo = sevo;
        _base = baseOptimizer;
        _adam = adam ?? new AdamOptions();
        _sgd = sgd ?? new SgdOptions();
        _groupOf = Enumerable.Repeat(-1, Parameters.Count).ToArray();
        var list = new List<(SevoGroup, SevoTransform, int[], int)>();
        for (int gi = 0; gi < groups.Count; gi++)
        {
            var g = groups[gi];
            if (g.Parameters.Count == 0) throw new ArgumentException($"SEvo group {gi} has no parameters.");
            int width = g.Parameters[0].Rank == 2 ? g.Parameters[0].Dim(1) : -1;
            int rows = 0;
            var idx = new int[g.Parameters.Count];
            for (int k = 0; k < g.Parameters.Count; k++)
            {
                var p = g.Parameters[k];
                if (p.Rank != 2 || p.Dim(1) != width) throw new ArgumentException($"SEvo group {gi}: {p.Describe()} is not 2-D with width {width} like the group's first parameter.");
                int at = -1;
                for (int i = 0; i < Parameters.Count; i++) if (ReferenceEquals(Parameters[i], p)) at = i;
                if (at < 0) throw new ArgumentException($"SEvo group {gi}: {p.Describe()} is not among the optimizer's parameters.");
                if (_groupOf[at] >= 0) throw new ArgumentException($"{p.Describe()} is in two SEvo groups.");
                _groupOf[at] = gi;
                idx[k] = at;
                rows += p.Dim(0);
            }
            if (g.Graph.RowCount != rows)
                throw new ArgumentException($"SEvo group {gi}: the graph has {g.Graph.RowCount} nodes but the group's parameters have {rows} rows in all.");
            list.Add((g, new SevoTransform(g.Graph, sevo), idx, width));
        }
        _groups = [.. list];
        _plainIndex = Enumerable.Repeat(-1, Parameters.Count).ToArray();
        var plain = Enumerable.Range(0, Parameters.Count).Where(i => _groupOf[i] < 0).ToList();
        for (int k = 0; k < plain.Count; k++) _plainIndex[plain[k]] = k;
        if (plain.Count > 0)
        {
            var ps = plain.Select(i => Parameters[i]);
            _plain = baseOptimizer switch
            {
                SevoBase.Sgd => new Sgd(ps, _sgd),
                SevoBase.Adam => new Adam(ps, _adam),
                _ => new AdamW(ps, _adam),
            };
        }
        _m = new float[Parameters.Count][];
        _v = new float[Parameters.Count][];
    }

    /// <summary>SEvo's options.</summary>
    public SevoOptions Sevo { get; }

    /// <inheritdoc />
    protected internal override void Update(int index, Tensor p, int step)
    {
        if (_plain is not null) _plain.LearningRate = LearningRate;
        int gi = _groupOf[index];
        if (gi < 0)
        {
            _plain!.UpdateAt(_plainIndex[index], step);
            return;
        }
        var (group, transform, indices, width) = _groups[gi];
        if (indices[0] != index) return; // the whole group is updated with its first parameter
        int total = transform.Nodes * width;
        if (_delta is null || _delta.Length < total) { _delta = new float[total]; _smoothed = new float[total]; }
        var delta = _delta.AsSpan(0, total);
        int offset = 0;
        foreach (int pi in indices)
        {
            var param = Parameters[pi];
            Direction(pi, param, step, width, delta.Slice(offset, param.Size));
            offset += param.Size;
        }
        var smoothed = _smoothed!.AsSpan(0, total);
        transform.Apply(delta, smoothed, width);
        offset = 0;
        foreach (int pi in indices)
        {
            var data = Parameters[pi].Span;
            TensorPrimitives.MultiplyAdd(smoothed.Slice(offset, data.Length), -LearningRate, data, data);
            offset += data.Length;
        }
    }

    /// <summary>The unsmoothed update direction Δ of one parameter (weight decay applied as the base optimizer does).</summary>
    private void Direction(int pi, Tensor param, int step, int width, Span<float> delta)
    {
        var data = param.Span;
        if (_base == SevoBase.Sgd)
        {
            var grad = DenseGradient(pi, param);
            var b = _m[pi] ??= new float[param.Size];
            float mu = _sgd.Momentum, wd = _sgd.WeightDecay;
            // gᵢ = grad + wd·p (in delta); b = μ·b + gᵢ (b = gᵢ without momentum).
            if (grad.IsEmpty) delta.Clear(); else grad.CopyTo(delta);
            if (wd != 0f) TensorPrimitives.MultiplyAdd(data, wd, delta, delta);
            if (mu != 0f) TensorPrimitives.MultiplyAdd(b, mu, delta, b); else delta.CopyTo(b);
            b.CopyTo(delta);
            return;
        }
        var m = _m[pi] ??= new float[param.Size];
        var v = _v[pi] ??= new float[param.Size];
        float b1 = _adam.Beta1, b2 = _adam.Beta2;
        int s = Math.Max(1, step - 1);
        var st = new SevoStep(LearningRate, b1, b2, _adam.WeightDecay, _adam.Eps, 1f - MathF.Pow(b1, step), MathF.Sqrt(1f - MathF.Pow(b2, step)),
            1f / (1f - MathF.Pow(b1, s)), 1f / (1f - MathF.Pow(b2, s)), _base == SevoBase.AdamW, Sevo.MomentCorrection);
        if (HasOnlySparse(param))
        {
            var sg = param.SparseGrad!;
            sg.Coalesce();
            SevoDirectionKernel.SparseRows(data, sg.Rows, sg.AllValues, width, m, v, delta, st);
        }
        else SevoDirectionKernel.Dense(data, DenseGradient(pi, param), width, m, v, delta, st);
    }

    /// <inheritdoc />
    public override IReadOnlyList<KeyValuePair<string, float[]>> ExportState()
    {
        var list = new List<KeyValuePair<string, float[]>>();
        for (int i = 0; i < Parameters.Count; i++)
        {
            if (_m[i] is { } m) list.Add(new($"m.{i}", m));
            if (_v[i] is { } v) list.Add(new($"v.{i}", v));
        }
        if (_plain is not null)
        {
            var back = Enumerable.Range(0, Parameters.Count).Where(i => _plainIndex[i] >= 0).ToArray();
            foreach (var (name, values) in _plain.ExportState())
            {
                int dot = name.LastIndexOf('.');
                list.Add(new($"plain_{name[..dot]}.{back[int.Parse(name[(dot + 1)..], System.Globalization.CultureInfo.InvariantCulture)]}", values));
            }
        }
        return list;
    }

    /// <inheritdoc />
    protected override void ImportBuffer(string kind, int index, float[] values)
    {
        if (kind.StartsWith("plain_", StringComparison.Ordinal) && _plain is not null && _plainIndex[index] >= 0)
            _plain.ImportState(new Dictionary<string, float[]> { [$"{kind[6..]}.{_plainIndex[index]}"] = values }, StepCount);
        else if (kind == "m") _m[index] = (float[])values.Clone();
        else if (kind == "v") _v[index] = (float[])values.Clone();
        else base.ImportBuffer(kind, index, values);
    }
}
