namespace EmbedRec.Tensors.Optim;

/// <summary>
/// A learning rate as a function of time and the base rate. Time is the epoch (0-based) for schedules set
/// once per epoch, or the step (0-based, over the whole run) for those with <see cref="PerStep"/>, which the
/// trainer applies before every step (warm-up, cosine over iterations).
/// </summary>
public abstract record LearningRateSchedule
{
    /// <summary>Whether time counts steps (true) or epochs.</summary>
    public virtual bool PerStep => false;

    /// <summary>The learning rate at time <paramref name="t"/>.</summary>
    public abstract float At(int t, float baseRate);

    /// <summary>Sets <paramref name="optimizer"/>'s learning rate for time <paramref name="t"/>.</summary>
    public void Apply(Optimizer optimizer, int t, float baseRate)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        optimizer.LearningRate = At(t, baseRate);
    }
}

/// <summary>
/// Linear warm-up over the first <see cref="Steps"/> steps (rate × (t + 1)/Steps), then <see cref="After"/>
/// (or the base rate). Per step; an epoch schedule after it is evaluated at epoch t / <see cref="StepsPerEpoch"/>.
/// </summary>
public sealed record WarmupSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    public WarmupSchedule(int steps, LearningRateSchedule? after = null, int stepsPerEpoch = 1)
    {
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "Warm-up steps must be positive.");
        if (stepsPerEpoch <= 0) throw new ArgumentOutOfRangeException(nameof(stepsPerEpoch), stepsPerEpoch, "Steps per epoch must be positive.");
        Steps = steps;
        After = after;
        StepsPerEpoch = stepsPerEpoch;
    }

    /// <summary>Warm-up steps.</summary>
    public int Steps { get; }

    /// <summary>The schedule that follows (and is scaled during warm-up), or null for the base rate.</summary>
    public LearningRateSchedule? After { get; }

    /// <summary>Steps per epoch, to evaluate an epoch schedule.</summary>
    public int StepsPerEpoch { get; }

    /// <inheritdoc />
    public override bool PerStep => true;

    /// <inheritdoc />
    public override float At(int t, float baseRate)
    {
        float rate = After is null ? baseRate : After.At(After.PerStep ? t : t / StepsPerEpoch, baseRate);
        return t < Steps ? rate * (t + 1) / Steps : rate;
    }
}

/// <summary>
/// Cosine annealing from the base rate to <see cref="EtaMin"/> over <see cref="TMax"/> epochs, or steps when
/// <see cref="PerStep"/> (PyTorch's CosineAnnealingLR, closed form).
/// </summary>
public sealed record CosineSchedule : LearningRateSchedule
{
    private readonly bool _perStep;

    /// <summary>Creates the schedule.</summary>
    public CosineSchedule(int tMax, float etaMin = 0f, bool perStep = false)
    {
        if (tMax <= 0) throw new ArgumentOutOfRangeException(nameof(tMax), tMax, "T_max must be positive.");
        TMax = tMax;
        EtaMin = etaMin;
        _perStep = perStep;
    }

    /// <summary>Half-period in epochs (steps when <see cref="PerStep"/>).</summary>
    public int TMax { get; }

    /// <inheritdoc />
    public override bool PerStep => _perStep;

    /// <summary>Lowest rate.</summary>
    public float EtaMin { get; }

    /// <inheritdoc />
    public override float At(int epoch, float baseRate) =>
        EtaMin + (baseRate - EtaMin) * (1f + MathF.Cos(MathF.PI * epoch / TMax)) / 2f;
}

/// <summary>Multiplies the rate by <see cref="Gamma"/> every <see cref="StepSize"/> epochs (PyTorch's StepLR).</summary>
public sealed record StepSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    public StepSchedule(int stepSize, float gamma = 0.1f)
    {
        if (stepSize <= 0) throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "Step size must be positive.");
        StepSize = stepSize;
        Gamma = gamma;
    }

    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>Decay factor.</summary>
    public float Gamma { get; }

    /// <inheritdoc />
    public override float At(int epoch, float baseRate) => baseRate * MathF.Pow(Gamma, epoch / StepSize);
}

/// <summary>Multiplies the rate by <see cref="Gamma"/> every epoch (PyTorch's ExponentialLR).</summary>
public sealed record ExponentialSchedule(float Gamma) : LearningRateSchedule
{
    /// <inheritdoc />
    public override float At(int epoch, float baseRate) => baseRate * MathF.Pow(Gamma, epoch);
}
