namespace EmbedRec.Training;

/// <summary>
/// Early stopping on a validation metric (higher is better): remembers the best value and epoch and
/// counts evaluations without improvement; <see cref="Update"/> says whether the epoch is a new best.
/// </summary>
public sealed class EarlyStopping(int patience)
{
    /// <summary>Best value so far (−∞ before the first evaluation).</summary>
    public double Best { get; private set; } = double.NegativeInfinity;

    /// <summary>Epoch of the best value (0 before the first).</summary>
    public int BestEpoch { get; private set; }

    /// <summary>Evaluations since the best.</summary>
    public int BadEvaluations { get; private set; }

    /// <summary>Whether <see cref="BadEvaluations"/> reached the patience.</summary>
    public bool ShouldStop => BadEvaluations >= patience;

    /// <summary>Records an evaluation; true when it is a new best.</summary>
    public bool Update(int epoch, double value)
    {
        if (value > Best)
        {
            Best = value;
            BestEpoch = epoch;
            BadEvaluations = 0;
            return true;
        }
        BadEvaluations++;
        return false;
    }

    /// <summary>Restores the state saved with a resumable run.</summary>
    public void Restore(double best, int bestEpoch, int badEvaluations)
    {
        Best = best;
        BestEpoch = bestEpoch;
        BadEvaluations = badEvaluations;
    }
}
