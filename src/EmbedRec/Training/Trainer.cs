using System.Diagnostics;
using EmbedRec.Data;
using EmbedRec.Data.Sampling;
using EmbedRec.Data.Splits;
using EmbedRec.Evaluation;
using EmbedRec.Losses;
using EmbedRec.Models;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Optim;

namespace EmbedRec.Training;

/// <summary>
/// Trains and evaluates a model on a split. Neural models: epochs of shuffled (user, positive,
/// negatives) batches, the loss, backward, optional clipping, an optimizer step; validation every
/// <see cref="TrainerOptions.EvalEvery"/> epochs with early stopping on <see cref="TrainerOptions.ValidMetric"/>;
/// the best epoch's parameters are restored for the test. Fitted models: one fit, then the same
/// evaluations. With a <see cref="RunDirectory"/> it writes checkpoints, history, metrics and a report,
/// and can resume an interrupted run. Progress goes to the <see cref="IProgress{T}"/>; nothing is printed.
/// </summary>
public sealed class Trainer(TrainerOptions options, IProgress<TrainingEvent>? progress = null)
{
    /// <summary>The options.</summary>
    public TrainerOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>Trains <paramref name="model"/> on <paramref name="split"/>.</summary>
    public TrainingResult Fit(IRecommender model, DataSplit split, RunDirectory? run = null, bool resume = false, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(split);
        Options.Validate();
        if (model.ItemCount != split.ItemCount || model.UserCount != split.UserCount)
            throw new ArgumentException($"The model covers {model.UserCount} users × {model.ItemCount} items, the split {split.UserCount} × {split.ItemCount}.");
        var train = split.Train.ToUserItems();
        var valid = split.Valid.ToUserItems();
        var test = split.Test.ToUserItems();
        var trainAndValid = UserItems.Union(train, valid);
        bool hasValid = valid.PairCount > 0;
        return model switch
        {
            IFittable f => FitClassic(f, train, valid, test, trainAndValid, hasValid, run),
            ITrainable t => TrainNeural(t, split, train, valid, test, trainAndValid, hasValid, run, resume, cancel),
            _ => throw new ArgumentException($"Model '{model.Name}' is neither fittable nor trainable."),
        };
    }

    private TrainingResult FitClassic(IFittable model, UserItems train, UserItems valid, UserItems test, UserItems trainAndValid, bool hasValid, RunDirectory? run)
    {
        progress?.Report(new TrainingStarted(model.Name, 0, 0, 1));
        progress?.Report(new PhaseMessage($"fitting {model.Name}"));
        var sw = Stopwatch.StartNew();
        model.Fit();
        double seconds = sw.Elapsed.TotalSeconds;
        var v = hasValid ? Evaluate(model, valid, train) : null;
        progress?.Report(new PhaseMessage("evaluating on test"));
        var t = Evaluate(model, test, trainAndValid);
        var result = new TrainingResult(model.Name, [], 0, v, t, seconds, false);
        if (run is not null)
        {
            model.Save(run.Checkpoint);
            run.WriteResult(result, Options);
        }
        return result;
    }

    private EvaluationResult Evaluate(IRecommender model, UserItems relevant, UserItems exclude) =>
        FullRankingEvaluator.Evaluate(model, relevant, exclude, Options.Evaluation);

    private Optimizer MakeOptimizer(ITrainable model, DataSplit split)
    {
        var ps = model.Network.Parameters();
        if (Options.Sevo is { } sevo)
        {
            var groups = SevoSetup.Groups(sevo, model, split);
            var baseKind = Options.Optimizer switch { OptimizerKind.Sgd => SevoBase.Sgd, OptimizerKind.Adam => SevoBase.Adam, _ => SevoBase.AdamW };
            return new SevoOptimizer(ps, groups, baseKind, sevo.Options,
                new AdamOptions { LearningRate = Options.LearningRate, Beta2 = Options.Beta2, WeightDecay = Options.WeightDecay },
                new SgdOptions { LearningRate = Options.LearningRate, Momentum = Options.Momentum, WeightDecay = Options.WeightDecay });
        }
        return Options.Optimizer switch
        {
            OptimizerKind.Sgd => new Sgd(ps, new SgdOptions { LearningRate = Options.LearningRate, Momentum = Options.Momentum, WeightDecay = Options.WeightDecay }),
            OptimizerKind.AdamW => new AdamW(ps, new AdamOptions { LearningRate = Options.LearningRate, Beta2 = Options.Beta2, WeightDecay = Options.WeightDecay }),
            _ => new Adam(ps, new AdamOptions { LearningRate = Options.LearningRate, Beta2 = Options.Beta2, WeightDecay = Options.WeightDecay }),
        };
    }

    private LearningRateSchedule? Schedule() => Options.Schedule switch
    {
        ScheduleKind.Cosine => new CosineSchedule(Math.Max(1, Options.Epochs)),
        ScheduleKind.Step => new StepSchedule(Options.ScheduleStep, Options.ScheduleGamma),
        ScheduleKind.Exponential => new ExponentialSchedule(Options.ScheduleGamma),
        _ => null,
    };

    private static EmbeddingModel? EncoderOf(IRecommender model) => model as EmbeddingModel ?? (model as DirectSpecModel)?.Encoder;

    /// <summary>A seed for epoch <paramref name="epoch"/> derived from the run's seed, so a resumed run draws what an uninterrupted one would.</summary>
    public static ulong EpochSeed(ulong seed, int epoch) => seed ^ (0x9E3779B97F4A7C15UL * (ulong)(epoch + 1)) ^ 0xD1B54A32D192ED03UL;

    private TrainingResult TrainNeural(ITrainable model, DataSplit split, UserItems train, UserItems valid, UserItems test, UserItems trainAndValid,
        bool hasValid, RunDirectory? run, bool resume, CancellationToken cancel)
    {
        var loss = Options.Loss ?? model.DefaultLoss;
        var custom = Options.Loss is null ? model as ICustomLoss : null;
        if (custom is not null && Options.BatchSize < custom.MinimumBatchSize)
            throw new ArgumentException($"train_batch_size {Options.BatchSize} is too small for {model.Name}: it needs batches of at least {custom.MinimumBatchSize}.");
        var sampler = new UniformNegativeSampler(train, split.ItemCount);
        bool byUsers = Options.Sampling == SamplingKind.Users || (Options.Sampling is null && custom is { SamplesUsers: true });
        var interactions = new TripletBatcher(split.Train, sampler, Options.BatchSize, Options.Negatives);
        var uniformUsers = byUsers ? new UniformUserBatcher(train, sampler, Options.BatchSize, Options.Negatives) : null;
        int batchesPerEpoch = uniformUsers?.BatchesPerEpoch ?? interactions.BatchesPerEpoch;
        var optimizer = MakeOptimizer(model, split);
        var schedule = Schedule();
        var parameters = model.Network.Parameters();
        var history = new List<EpochRecord>();
        int startEpoch = 1, bestEpoch = 0, badEvals = 0;
        double best = double.NegativeInfinity;
        float[][]? bestState = null;
        double trainSeconds = 0;
        if (resume)
        {
            if (run is null) throw new ArgumentException("Resuming needs a run directory.");
            var st = run.LoadResumeState(model, optimizer);
            startEpoch = st.Epoch + 1;
            bestEpoch = st.BestEpoch;
            best = st.Best;
            badEvals = st.BadEvals;
            trainSeconds = st.TrainSeconds;
            history.AddRange(st.History);
            if (File.Exists(run.Checkpoint)) bestState = RunDirectory.ReadState(run.Checkpoint, model.Network);
        }
        progress?.Report(new TrainingStarted(model.Name, Options.Epochs, batchesPerEpoch, startEpoch));
        bool stopped = false;
        for (int epoch = startEpoch; epoch <= Options.Epochs && !stopped; epoch++)
        {
            cancel.ThrowIfCancellationRequested();
            schedule?.Apply(optimizer, epoch - 1, Options.LearningRate);
            var rng = new Rng(EpochSeed(Options.Seed, epoch));
            var sw = Stopwatch.StartNew();
            double sum = 0;
            int batches = 0;
            foreach (var batch in BatchPrefetcher.Prefetch(uniformUsers?.Epoch(rng) ?? interactions.Epoch(rng), Options.BatchSize, Options.Negatives))
            {
                cancel.ThrowIfCancellationRequested();
                optimizer.ZeroGrad();
                var l = custom is not null ? custom.Loss(batch) : RecLoss.Compute(loss, model.Forward(batch, loss == LossKind.SoftmaxCe), batch);
                float value = l.Item();
                batches++;
                if (!float.IsFinite(value)) throw new TrainingDivergedException(epoch, batches, value);
                l.Backward();
                if (Options.ClipGradNorm is { } clip) GradClip.ClipByNorm(parameters, clip);
                optimizer.Step();
                sum += value;
                progress?.Report(new BatchCompleted(epoch, batches, value));
            }
            double seconds = sw.Elapsed.TotalSeconds;
            trainSeconds += seconds;
            IReadOnlyDictionary<string, double>? validMeans = null;
            double? erank = null;
            bool evaluate = epoch % Options.EvalEvery == 0 || epoch == Options.Epochs;
            if (evaluate || Options.TrackErank) model.PrepareForScoring();
            if (Options.TrackErank && EncoderOf(model) is { } em) erank = Spectrum.EffectiveRank(em.Embeddings().Items, em.Dim);
            if (evaluate && hasValid)
            {
                var v = Evaluate(model, valid, train);
                validMeans = v.Means;
                double value = v[Options.ValidMetric];
                if (value > best)
                {
                    best = value;
                    bestEpoch = epoch;
                    badEvals = 0;
                    bestState = parameters.Select(p => p.ToArray()).ToArray();
                    run?.SaveCheckpoint(model, epoch);
                }
                else if (++badEvals >= Options.StoppingStep)
                {
                    stopped = true;
                    progress?.Report(new EarlyStopped(epoch, bestEpoch, Options.ValidMetric, best));
                }
            }
            var record = new EpochRecord(epoch, batches == 0 ? 0 : sum / batches, seconds, optimizer.LearningRate, validMeans, erank);
            history.Add(record);
            progress?.Report(new EpochCompleted(record));
            run?.SaveResumeState(model, optimizer, new ResumeState(epoch, bestEpoch, best, badEvals, trainSeconds, history));
        }
        if (bestState is not null)
        {
            for (int i = 0; i < parameters.Count; i++) bestState[i].CopyTo(parameters[i].Span);
        }
        else
        {
            bestEpoch = history.Count == 0 ? 0 : history[^1].Epoch;
            run?.SaveCheckpoint(model, bestEpoch);
        }
        model.PrepareForScoring();
        var validResult = hasValid ? Evaluate(model, valid, train) : null;
        progress?.Report(new PhaseMessage("evaluating on test"));
        var testResult = Evaluate(model, test, trainAndValid);
        var result = new TrainingResult(model.Name, history, bestEpoch, validResult, testResult, trainSeconds, stopped)
        {
            ItemSmoothness = EncoderOf(model) is { } em2 ? SevoSetup.ItemSmoothness(split, em2.Embeddings().Items, em2.Dim) : null,
        };
        if (EncoderOf(model) is { } em3)
        {
            var spectrum = Spectrum.Normalized(em3.Embeddings().Items, em3.Dim);
            result = result with { ItemErank = Spectrum.EffectiveRank(spectrum), ItemSpectrum = spectrum };
        }
        run?.WriteResult(result, Options);
        return result;
    }
}
