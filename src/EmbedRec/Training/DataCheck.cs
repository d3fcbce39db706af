using EmbedRec.Data;
using EmbedRec.Data.Splits;

namespace EmbedRec.Training;

/// <summary>What reopening a run does when its data no longer matches its <see cref="DataPin"/>.</summary>
public enum DataChangePolicy
{
    /// <summary>Refuse with a <see cref="DataChangedException"/> naming what changed.</summary>
    Refuse,

    /// <summary>Go on with the data as it is now, and say so in <see cref="DataCheck"/> (re-evaluating on new data on purpose).</summary>
    Allow,
}

/// <summary>How the data a reopened run was rebuilt from compares with the data it was trained on.</summary>
public enum DataCheckStatus
{
    /// <summary>Location, data and split are those recorded in <c>data.json</c>.</summary>
    Unchanged,

    /// <summary>Something changed and <see cref="DataChangePolicy.Allow"/> let the run open anyway.</summary>
    Changed,

    /// <summary>The run has no <c>data.json</c> (written before runs pinned their data), so nothing could be checked.</summary>
    NotRecorded,
}

/// <summary>The outcome of checking a reopened run's data against its <see cref="DataPin"/>.</summary>
/// <param name="Status">What was found.</param>
/// <param name="Message">One line for the user (empty when unchanged).</param>
public sealed record DataCheck(DataCheckStatus Status, string Message);

/// <summary>A reopened run with the outcome of its data check.</summary>
/// <param name="Run">The run.</param>
/// <param name="Data">How its data compares with what it was trained on.</param>
public sealed record OpenedRun(TrainedRun Run, DataCheck Data);

/// <summary>A split with the pin that records where it came from (<see cref="Experiment.LoadData"/>).</summary>
/// <param name="Split">The split.</param>
/// <param name="Pin">Location and fingerprints of the data and the split.</param>
public sealed record LoadedData(DataSplit Split, DataPin Pin);

/// <summary>A run's data is not what it was trained on (issue 15 §5); the message names the run and what changed.</summary>
public sealed class DataChangedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public DataChangedException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public DataChangedException() { }

    /// <summary>Creates the exception.</summary>
    public DataChangedException(string message, Exception inner) : base(message, inner) { }
}
