using System.Diagnostics;
using EmbedRec.Data;
using EmbedRec.Data.Splits;
using EmbedRec.Evaluation;
using EmbedRec.Models;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Optim;

namespace EmbedRec.Training;

/// <summary>
/// Trains and evaluates a model on a split. Trainable models: epochs of the objective's steps (loss,
/// backward, optional clipping, an optimizer step); validation every <see cref="TrainerOptions.EvalEvery"/>
/// epochs, in eval mode, with early stopping on <see cref="TrainerOptions.ValidMetric"/>; the best epoch's
/// parameters are restored for the test. Fitted models: one fit, then the same evaluations. With a
/// <see cref="RunDirectory"/> it writes checkpoints, history, metrics and a report, and can resume an
/// interrupted run. Progress goes to the <see cref="IProgress{T}"/>; nothing is printed.
/// </summary>
public sealed class Trainer(TrainerOptions options, IProgress<TrainingEvent>? progress = null)
{
    /// <summary>The options.</summary>
    public TrainerOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>Trains <paramref name="model"/> on <paramref name="split"/> (<paramref name="plan"/> is required for trainable models).</summary>
    public TrainingResult Fit(IRecommender model, DataSplit split, TrainingPlan? plan = null, RunDirectory? run = null, bool resume = false,
        CancellationToken cancel = default, IReadOnlyDictionary<string, object?>? record = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(split);
        Options.Validate();
        if (model.ItemCount != split.ItemCount || model.UserCount != split.UserCount)
            throw new ArgumentException($"The model covers {model.UserCount} users × {model.ItemCount} items, the split {split.UserCount} × {split.ItemCount}.");
        var sets = new EvaluationSets(split, Options);
        return model switch
        {
            IFittable f => FitClassic(f, sets, run, record),
            ITrainable t => TrainNeural(t, plan ?? throw new ArgumentException($"Model '{model.Name}' is trainable: it needs a training plan (objective and optimizer)."),
                split, sets, run, resume, cancel, record),
            _ => throw new ArgumentException($"Model '{model.Name}' is neither fittable nor trainable."),
        };
    }

    /// <summary>Forwards an evaluation's progress as <see cref="EvaluationProgressed"/> events, or null when nobody listens.</summary>
    private IProgress<EvaluationProgress>? Watch(HeldOut part) =>
        progress is null ? null : new ImmediateProgress<EvaluationProgress>(e => progress.Report(new EvaluationProgressed(part, e.UsersDone, e.UsersTotal)));

    /// <summary>The relevant items, scoring contexts and options of validation and test.</summary>
    private sealed class EvaluationSets
    {
        public EvaluationSets(DataSplit split, TrainerOptions options)
        {
            Valid = split.Valid.ToUserItems();
            Test = split.Test.ToUserItems();
            ValidContext = ScoringContext.ForValidation(split);
            TestContext = ScoringContext.ForTest(split);
            int[] users = FullRankingEvaluator.EvaluatedUsers(Valid, null); // every user with a validation item
            ValidOptions = options.ValidUsers == 0 || options.ValidUsers >= users.Length ? options.Evaluation
                : options.Evaluation with { Users = UserGroups.Sample(users, options.ValidUsers, ValidSampleSeed(options.Seed)) };
            ValidSampleNote = ValidOptions.Users is { } sample
                ? $"validating on {sample.Count:N0} of the {users.Length:N0} users with validation items (valid_users, drawn by the seed); the test scores every user"
                : null;
        }

        /// <summary>A line saying that validation scores a sample of users, or null when it scores all of them.</summary>
        public string? ValidSampleNote { get; }

        public UserItems Valid { get; }
        public UserItems Test { get; }
        public ScoringContext ValidContext { get; }
        public ScoringContext TestContext { get; }

        /// <summary>The test's options with, under <see cref="TrainerOptions.ValidUsers"/>, the validation's user sample.</summary>
        public EvaluationOptions ValidOptions { get; }

        public bool HasValid => Valid.PairCount > 0;
    }

    private TrainingResult FitClassic(IFittable model, EvaluationSets sets, RunDirectory? run, IReadOnlyDictionary<string, object?>? record)
    {
        progress?.Report(new TrainingStarted(model.Name, 0, 0, 1));
        progress?.Report(new PhaseMessage($"fitting {model.Name}"));
        if (sets.ValidSampleNote is { } note) progress?.Report(new PhaseMessage(note));
        var sw = Stopwatch.StartNew();
        model.Fit();
        double seconds = sw.Elapsed.TotalSeconds;
        var v = sets.HasValid ? FullRankingEvaluator.Evaluate(model, sets.Valid, sets.ValidContext, sets.ValidOptions, Watch(HeldOut.Valid)) : null;
        progress?.Report(new PhaseMessage("evaluating on test"));
        var t = FullRankingEvaluator.Evaluate(model, sets.Test, sets.TestContext, Options.Evaluation, Watch(HeldOut.Test));
        var result = new TrainingResult(model.Name, [], 0, v, t, seconds, false);
        if (run is not null)
        {
            run.Writing("checkpoint.safetensors");
            model.Save(run.Checkpoint);
            run.WriteResult(result, Options, record);
        }
        return result;
    }

    /// <summary>Runs <paramref name="body"/> with the network in eval mode (dropout off) and scoring prepared, then goes back to train mode.</summary>
    private static T InEvalMode<T>(ITrainable model, Func<T> body)
    {
        model.Network.Eval();
        try
        {
            model.PrepareForScoring();
            return body();
        }
        finally
        {
            model.Network.Train();
        }
    }

    private LearningRateSchedule? Schedule(int stepsPerEpoch)
    {
        LearningRateSchedule? s = Options.Schedule switch
        {
            ScheduleKind.Cosine => new CosineSchedule(Math.Max(1, Options.Epochs)),
            ScheduleKind.CosineSteps => new CosineSchedule(Math.Max(1, Options.Epochs * stepsPerEpoch), perStep: true),
            ScheduleKind.Step => new StepSchedule(Options.ScheduleStep, Options.ScheduleGamma),
            ScheduleKind.Exponential => new ExponentialSchedule(Options.ScheduleGamma),
            _ => null,
        };
        return Options.WarmupSteps > 0 ? new WarmupSchedule(Options.WarmupSteps, s, stepsPerEpoch) : s;
    }

    /// <summary>The seed of the validation's user sample, derived from the run's seed apart from every epoch's.</summary>
    public static ulong ValidSampleSeed(ulong seed) => seed ^ 0x6A09E667F3BCC909UL;

    /// <summary>A seed for epoch <paramref name="epoch"/> derived from the run's seed, so a resumed run draws what an uninterrupted one would.</summary>
    public static ulong EpochSeed(ulong seed, int epoch) => seed ^ (0x9E3779B97F4A7C15UL * (ulong)(epoch + 1)) ^ 0xD1B54A32D192ED03UL;

    private TrainingResult TrainNeural(ITrainable model, TrainingPlan plan, DataSplit split, EvaluationSets sets, RunDirectory? run, bool resume,
        CancellationToken cancel, IReadOnlyDictionary<string, object?>? record)
    {
        var objective = plan.Objective;
        var state = new TrainableState(model, objective, Options.Freeze);
        var optimizer = plan.CreateOptimizer(state.Trainable);
        int stepsPerEpoch = objective.StepsPerEpoch;
        var schedule = Schedule(stepsPerEpoch);
        var trainable = state.Trainable.Select(p => p.Value).ToList();
        var history = new List<EpochRecord>();
        var stopping = new EarlyStopping(Options.StoppingStep);
        int startEpoch = 1;
        float[][]? bestState = null;
        // The kept epoch's validation, when this process evaluated it: the parameters restored at the end are the ones it
        // scored, so the final report reuses it instead of scoring every user again (minutes for DLR2 on Beauty).
        EvaluationResult? bestValid = null;
        bool stopped = false;
        bool checkpointCurrent = false; // whether checkpoint.safetensors holds the best epoch's parameters, written by this process
        double trainSeconds = 0;
        if (resume)
        {
            if (run is null) throw new ArgumentException("Resuming needs a run directory.");
            if (run.LoadResumeState(state, model.Name, optimizer) is { } st)
            {
                ResumeRules.CheckEpochs(st, Options, run.IsComplete, $"epochs = {Options.Epochs}");
                startEpoch = st.Epoch + 1;
                stopping.Restore(st.Best, st.BestEpoch, st.BadEvals);
                stopped = st.StoppedEarly;
                trainSeconds = st.TrainSeconds;
                history.AddRange(st.History);
                bestState = st.BestEpoch == 0 ? null : st.BestParameters?.ToArray() ?? state.Snapshot();
            }
            else progress?.Report(new PhaseMessage($"'{run.Path}' has no resume state (the run stopped before its first epoch ended): training from epoch 1"));
        }
        model.Network.Train();
        progress?.Report(new TrainingStarted(model.Name, Options.Epochs, stepsPerEpoch, startEpoch));
        if (sets.ValidSampleNote is { } note) progress?.Report(new PhaseMessage(note));
        for (int epoch = startEpoch; epoch <= Options.Epochs && !stopped; epoch++)
        {
            cancel.ThrowIfCancellationRequested();
            if (schedule is { PerStep: false }) schedule.Apply(optimizer, epoch - 1, Options.LearningRate);
            var rng = new Rng(EpochSeed(Options.Seed, epoch));
            var sw = Stopwatch.StartNew();
            double sum = 0;
            int batches = 0;
            foreach (var loss in objective.Epoch(rng))
            {
                cancel.ThrowIfCancellationRequested();
                if (schedule is { PerStep: true }) schedule.Apply(optimizer, (epoch - 1) * stepsPerEpoch + batches, Options.LearningRate);
                optimizer.ZeroGrad();
                float value = loss.Item();
                batches++;
                if (!float.IsFinite(value)) throw new TrainingDivergedException(epoch, batches, value);
                loss.Backward();
                if (Options.ClipGradNorm is { } clip) GradClip.ClipByNorm(trainable, clip);
                optimizer.Step();
                sum += value;
                progress?.Report(new BatchCompleted(epoch, batches, value));
            }
            double seconds = sw.Elapsed.TotalSeconds;
            trainSeconds += seconds;
            IReadOnlyDictionary<string, double>? validMeans = null;
            double? erank = null;
            bool evaluate = epoch % Options.EvalEvery == 0 || epoch == Options.Epochs;
            EvaluationResult? v = null;
            if (evaluate || Options.TrackErank)
            {
                (erank, v) = InEvalMode(model, () => (Options.TrackErank ? EmbeddingDiagnostics.ItemErank(model) : null,
                    evaluate && sets.HasValid ? FullRankingEvaluator.Evaluate(model, sets.Valid, sets.ValidContext, sets.ValidOptions, Watch(HeldOut.Valid)) : null));
            }
            if (v is not null)
            {
                validMeans = v.Means;
                if (stopping.Update(epoch, v[Options.ValidMetric]))
                {
                    bestState = state.Snapshot();
                    bestValid = v;
                    run?.SaveCheckpoint(state.State, model.Name, epoch);
                    checkpointCurrent = true;
                }
                else if (stopping.ShouldStop)
                {
                    stopped = true;
                    progress?.Report(new EarlyStopped(epoch, stopping.BestEpoch, Options.ValidMetric, stopping.Best));
                }
            }
            var entry = new EpochRecord(epoch, batches == 0 ? 0 : sum / batches, seconds, optimizer.LearningRate, validMeans, erank);
            history.Add(entry);
            progress?.Report(new EpochCompleted(entry));
            run?.SaveResumeState(state, model.Name, optimizer, new ResumeState(epoch, stopping.BestEpoch, stopping.Best, stopping.BadEvaluations, trainSeconds,
                history, stopped, Options.Epochs, bestState is not null && stopping.BestEpoch != epoch ? bestState : null));
        }
        int bestEpoch = stopping.BestEpoch;
        if (bestState is not null)
        {
            state.Restore(bestState);
            // A resumed run may have inherited a checkpoint written ahead of its resume state by a killed writer: rewrite it from the verified state.
            if (!checkpointCurrent) run?.SaveCheckpoint(state.State, model.Name, bestEpoch);
        }
        else
        {
            bestEpoch = history.Count == 0 ? 0 : history[^1].Epoch;
            run?.SaveCheckpoint(state.State, model.Name, bestEpoch);
        }
        var (validResult, testResult) = InEvalMode(model, () =>
        {
            var valid = !sets.HasValid ? null
                : bestValid is not null ? bestValid // set only with bestState, which is what was restored
                : FullRankingEvaluator.Evaluate(model, sets.Valid, sets.ValidContext, sets.ValidOptions, Watch(HeldOut.Valid));
            progress?.Report(new PhaseMessage("evaluating on test"));
            return (valid, FullRankingEvaluator.Evaluate(model, sets.Test, sets.TestContext, Options.Evaluation, Watch(HeldOut.Test)));
        });
        var result = EmbeddingDiagnostics.Add(new TrainingResult(model.Name, history, bestEpoch, validResult, testResult, trainSeconds, stopped), model, split);
        if (run is not null)
        {
            if (model is IEmbeddingTables tables)
            {
                run.Writing(Initializers.EmbeddingFile.FileName);
                Initializers.EmbeddingFile.Write(Path.Combine(run.Path, Initializers.EmbeddingFile.FileName), tables.Tables, split, model.Name);
            }
            run.WriteResult(result, Options, record);
        }
        return result;
    }
}
