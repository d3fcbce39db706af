namespace EmbedRec.Tensors.Optim;

/// <summary>
/// Base of the optimizers: a fixed list of parameters, a learning rate the schedules may change,
/// and the merging of dense and row-sparse gradients. A parameter with neither gradient is skipped
/// by a step, as in PyTorch.
/// </summary>
public abstract class Optimizer
{
    private readonly float[]?[] _scratch;

    /// <summary>Creates the optimizer over <paramref name="parameters"/> (named by their index).</summary>
    protected Optimizer(IEnumerable<Tensor> parameters, float learningRate)
        : this(ByIndex(parameters), learningRate)
    {
    }

    /// <summary>Parameters named by their index ("0", "1", ...), for callers that give no names.</summary>
    protected static IEnumerable<KeyValuePair<string, Tensor>> ByIndex(IEnumerable<Tensor> parameters) =>
        (parameters ?? throw new ArgumentNullException(nameof(parameters))).Select((p, i) => new KeyValuePair<string, Tensor>(i.ToString(System.Globalization.CultureInfo.InvariantCulture), p));

    /// <summary>Creates the optimizer over named parameters; its state is keyed by these names.</summary>
    protected Optimizer(IEnumerable<KeyValuePair<string, Tensor>> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters.ToList();
        Parameters = list.Select(kv => kv.Value).ToList();
        ParameterNames = list.Select(kv => kv.Key).ToList();
        var dupName = ParameterNames.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (dupName is not null) throw new ArgumentException($"Two parameters are named '{dupName.Key}'.");
        if (Parameters.Count == 0) throw new ArgumentException("An optimizer needs at least one parameter.");
        var dup = Parameters.GroupBy(p => p, ReferenceEqualityComparer.Instance).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"Parameter {((Tensor)dup.Key!).Describe()} is given twice.");
        foreach (var p in Parameters)
            if (!p.IsLeaf || !p.RequiresGrad) throw new ArgumentException($"{p.Describe()} is not a leaf that requires grad.");
        CheckNonNegative(learningRate, "learning rate");
        LearningRate = learningRate;
        _scratch = new float[Parameters.Count][];
    }

    /// <summary>The parameters, in order.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The parameters' names (their index as text when none were given).</summary>
    public IReadOnlyList<string> ParameterNames { get; }

    /// <summary>The key of a state buffer: its kind and the parameter's name, "m/item.weight".</summary>
    protected string StateKey(string kind, int index) => $"{kind}/{ParameterNames[index]}";

    /// <summary>The current learning rate.</summary>
    public float LearningRate { get; set; }

    /// <summary>Steps taken so far.</summary>
    public int StepCount { get; private set; }

    /// <summary>
    /// The optimizer's buffers by key (kind/parameter name, e.g. "m/item.weight" for the first moment of
    /// the parameter named item.weight), for checkpoints that resume training exactly.
    /// </summary>
    public virtual IReadOnlyList<KeyValuePair<string, float[]>> ExportState() => [];

    /// <summary>Restores what <see cref="ExportState"/> returned; lengths are checked against the parameters.</summary>
    public void ImportState(IReadOnlyDictionary<string, float[]> state, int stepCount)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        foreach (var (key, values) in state)
        {
            int slash = key.IndexOf('/');
            int index = slash < 0 ? -1 : IndexOf(key[(slash + 1)..]);
            if (index < 0)
                throw new InvalidDataException($"Optimizer state '{key}' does not name a parameter of this optimizer (parameters: {string.Join(", ", ParameterNames)}).");
            if (values.Length != Parameters[index].Size)
                throw new InvalidDataException($"Optimizer state '{key}' has {values.Length} values; parameter '{ParameterNames[index]}' has {Parameters[index].Size}.");
            ImportBuffer(key[..slash], index, values);
        }
        StepCount = stepCount;
    }

    private int IndexOf(string name)
    {
        for (int i = 0; i < ParameterNames.Count; i++) if (ParameterNames[i] == name) return i;
        return -1;
    }

    /// <summary>
    /// The update direction Δ of parameter <paramref name="index"/> at step <paramref name="step"/> (so that the update
    /// is p ← p − lr·Δ) into <paramref name="direction"/>, advancing the optimizer's state and applying what it does
    /// to p besides (decoupled weight decay), without the update itself: what SEvo smooths before applying.
    /// Rows (of <paramref name="width"/>) whose gradient is all zero are inactive; with
    /// <paramref name="correctInactiveRows"/> an optimizer with moments may stand in for their missing gradient
    /// (SEvo's moment correction, SPEC §3.2).
    /// </summary>
    protected internal virtual void Direction(int index, Tensor parameter, int step, Span<float> direction, int width, bool correctInactiveRows) =>
        throw new NotSupportedException($"{GetType().Name} does not expose its update direction, so SEvo cannot wrap it.");

    /// <summary>The direction of parameter <paramref name="index"/> as part of another optimizer's step (SEvo).</summary>
    internal void DirectionAt(int index, int step, Span<float> direction, int width, bool correctInactiveRows)
    {
        using var _ = GradMode.NoGrad();
        Direction(index, Parameters[index], step, direction, width, correctInactiveRows);
    }

    /// <summary>Restores one named buffer of parameter <paramref name="index"/>.</summary>
    protected internal virtual void ImportBuffer(string kind, int index, float[] values) =>
        throw new InvalidDataException($"{GetType().Name} has no state '{kind}'.");

    /// <summary>Zeroes every parameter's dense and sparse gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.ZeroGrad();
    }

    /// <summary>Applies one update from the accumulated gradients.</summary>
    public void Step()
    {
        StepCount++;
        using var _ = GradMode.NoGrad();
        for (int i = 0; i < Parameters.Count; i++) Update(i, Parameters[i], StepCount);
    }

    /// <summary>Updates parameter <paramref name="index"/> at step <paramref name="step"/> (1-based).</summary>
    protected internal abstract void Update(int index, Tensor parameter, int step);

    /// <summary>Updates one parameter as part of another optimizer's step (used by wrappers such as SEvo).</summary>
    internal void UpdateAt(int index, int step)
    {
        using var _ = GradMode.NoGrad();
        Update(index, Parameters[index], step);
    }

    /// <summary>True when the parameter holds a non-empty row-sparse gradient and no dense one.</summary>
    protected static bool HasOnlySparse(Tensor p) => p.SparseGrad is { Count: > 0 } && p.Grad is null;

    /// <summary>
    /// The full gradient as a dense span (dense part plus the scattered sparse part), or an empty
    /// span when the parameter received no gradient.
    /// </summary>
    protected ReadOnlySpan<float> DenseGradient(int index, Tensor p)
    {
        bool sparse = p.SparseGrad is { Count: > 0 };
        if (!sparse) return p.Grad is null ? ReadOnlySpan<float>.Empty : p.Grad.Span;
        var buf = _scratch[index] ??= new float[p.Size];
        if (p.Grad is null) Array.Clear(buf); else p.Grad.Span.CopyTo(buf);
        p.SparseGrad!.AddTo(buf);
        return buf;
    }

    /// <summary>Throws unless <paramref name="value"/> ≥ 0 and finite.</summary>
    protected static void CheckNonNegative(float value, string name)
    {
        if (!(value >= 0f) || float.IsInfinity(value)) throw new ArgumentOutOfRangeException(name, value, $"The {name} must be a finite non-negative number.");
    }

    /// <summary>Throws unless 0 ≤ <paramref name="value"/> &lt; 1.</summary>
    protected static void CheckUnit(float value, string name)
    {
        if (!(value >= 0f && value < 1f)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1).");
    }
}
