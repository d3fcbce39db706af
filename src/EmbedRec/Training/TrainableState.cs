using EmbedRec.Models;
using EmbedRec.Objectives;
using EmbedRec.Tensors;

namespace EmbedRec.Training;

/// <summary>
/// The named tensors a training run owns: the model's state (parameters and buffers, under their own
/// names) and the objective's parameters (under "objective."), and which of them the optimizer updates
/// (all parameters but the frozen ones).
/// </summary>
public sealed class TrainableState
{
    /// <summary>The prefix of the objective's parameters in checkpoints.</summary>
    public const string ObjectivePrefix = "objective.";

    /// <summary>Collects the state of <paramref name="model"/> and <paramref name="objective"/>; <paramref name="freeze"/> names or prefixes parameters kept fixed.</summary>
    public TrainableState(ITrainable model, ITrainingObjective? objective, IReadOnlyList<string>? freeze = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var objectiveParameters = objective?.Parameters.Select(kv => new KeyValuePair<string, Tensor>(ObjectivePrefix + kv.Key, kv.Value)).ToList() ?? [];
        Parameters = model.Network.NamedParameters().Concat(objectiveParameters).ToList();
        State = model.Network.StateDict().Concat(objectiveParameters).ToList();
        var frozen = new HashSet<string>();
        foreach (var f in freeze ?? [])
        {
            var hits = Parameters.Where(p => p.Key == f || p.Key.StartsWith(f + ".", StringComparison.Ordinal)).Select(p => p.Key).ToList();
            if (hits.Count == 0)
                throw new FormatException($"freeze: '{f}' names no parameter of '{model.Name}'; parameters: {string.Join(", ", Parameters.Select(p => p.Key))}.");
            frozen.UnionWith(hits);
        }
        foreach (var p in Parameters) if (frozen.Contains(p.Key)) p.Value.RequiresGrad = false;
        Trainable = Parameters.Where(p => !frozen.Contains(p.Key)).ToList();
        if (Trainable.Count == 0) throw new FormatException($"freeze leaves no parameter of '{model.Name}' to train.");
    }

    /// <summary>All parameters (model first, then objective), by name.</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Parameters { get; }

    /// <summary>Everything a checkpoint holds: parameters, the model's buffers, the objective's parameters.</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> State { get; }

    /// <summary>The parameters the optimizer updates.</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Trainable { get; }

    /// <summary>
    /// A copy of everything in <see cref="State"/>: the parameters and the buffers, so a restored best epoch scores with its
    /// own BatchNorm running statistics (DLR2's shortcut), not those of the last epoch.
    /// </summary>
    public float[][] Snapshot() => State.Select(p => p.Value.ToArray()).ToArray();

    /// <summary>Writes a <see cref="Snapshot"/> back.</summary>
    public void Restore(float[][] snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.Length != State.Count) throw new ArgumentException($"A snapshot of {snapshot.Length} tensors for a state of {State.Count}.");
        for (int i = 0; i < State.Count; i++) snapshot[i].CopyTo(State[i].Value.Span);
    }
}
