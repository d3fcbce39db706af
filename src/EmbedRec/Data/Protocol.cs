using System.Globalization;
using EmbedRec.Data.Splits;

namespace EmbedRec.Data;

/// <summary>
/// A data protocol: filters applied in order, then a split. Written as text for configs and the CLI:
/// filters <c>rating&gt;=4</c>, <c>rating&gt;0</c>, <c>dedup</c> or <c>dedup=last</c>, <c>kcore=5</c> or
/// <c>kcore=5,10</c> (user, item), joined by <c>;</c>; splits <c>loo</c>, <c>temporal</c> or
/// <c>temporal=0.7,0.1</c>, <c>random</c> or <c>random=0.2,0.1</c> (test, validation share of train),
/// <c>global</c> or <c>global=0.2,0.1</c>, <c>leporid</c> (the Leporid authors' 70/10/20, <see cref="LeporidSplit"/>), <c>predefined</c> (optionally <c>predefined;valid=0.1;seed=N</c> to carve a
/// validation set out of the shipped training part); a split may end with <c>;seed=N</c> and <c>;short=train|drop|error</c>.
/// </summary>
public sealed record Protocol(IReadOnlyList<Func<InteractionLog, InteractionLog>> FilterSteps, string FilterText, ISplitter? Splitter, string SplitText)
{
    /// <summary>
    /// For <c>predefined;valid=F[;seed=N]</c>: the share of each user's predefined training items moved to
    /// a validation set (for shipped splits without one); 0 keeps the files as they are.
    /// </summary>
    public double PredefinedValidShare { get; init; }

    /// <summary>Seed of the validation carve-out.</summary>
    public ulong PredefinedSeed { get; init; }

    /// <summary>Moves <see cref="PredefinedValidShare"/> of each user's training items (users with ≥ 2) to validation.</summary>
    public DataSplit CarveValidation(DataSplit split)
    {
        ArgumentNullException.ThrowIfNull(split);
        if (PredefinedValidShare <= 0) return split;
        if (split.Valid.Count > 0) throw new InvalidOperationException("The predefined split already has a validation part.");
        var train = split.Train;
        var byUser = train.ByUser();
        var rng = new Tensors.Rng(PredefinedSeed);
        var toValid = new bool[train.Count];
        for (int u = 0; u < train.UserCount; u++)
        {
            var rows = byUser.Of(u).ToArray();
            if (rows.Length < 2) continue;
            rng.Shuffle(rows.AsSpan());
            int n = Math.Min(rows.Length - 1, Math.Max(1, (int)Math.Round(rows.Length * PredefinedValidShare, MidpointRounding.AwayFromZero)));
            for (int k = 0; k < n; k++) toValid[rows[k]] = true;
        }
        var r = split.Report;
        return new DataSplit(train.Where(x => !toValid[x]), train.Where(x => toValid[x]), split.Test,
            r with { Protocol = r.Protocol + $", validation {PredefinedValidShare:0.##} of train (seed {PredefinedSeed})" });
    }
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Parses filter and split texts (either may be empty: no filter, predefined split).</summary>
    public static Protocol Parse(string? filters, string? split)
    {
        var steps = new List<Func<InteractionLog, InteractionLog>>();
        foreach (var raw in (filters ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            steps.Add(ParseFilter(raw));
        var parts = (split ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length > 0 && parts[0] == "predefined")
        {
            double share = 0;
            ulong seed = 0;
            foreach (var opt in parts.Skip(1))
            {
                if (opt.StartsWith("valid=", StringComparison.Ordinal) && double.TryParse(opt[6..], NumberStyles.Float, Inv, out var v) && v > 0 && v < 1) share = v;
                else if (opt.StartsWith("seed=", StringComparison.Ordinal) && ulong.TryParse(opt[5..], NumberStyles.Integer, Inv, out var sd)) seed = sd;
                else throw new FormatException($"Unknown option '{opt}' of a predefined split (valid=F with 0 < F < 1, seed=N).");
            }
            return new Protocol(steps, filters ?? "", null, split!) { PredefinedValidShare = share, PredefinedSeed = seed };
        }
        return new Protocol(steps, filters ?? "", ParseSplit(split), string.IsNullOrWhiteSpace(split) ? "predefined" : split);
    }

    private static Func<InteractionLog, InteractionLog> ParseFilter(string f)
    {
        if (f.StartsWith("rating>=", StringComparison.Ordinal) && float.TryParse(f[8..], NumberStyles.Float, Inv, out float t1))
            return log => Filters.RatingThreshold(log, t1, inclusive: true);
        if (f.StartsWith("rating>", StringComparison.Ordinal) && float.TryParse(f[7..], NumberStyles.Float, Inv, out float t2))
            return log => Filters.RatingThreshold(log, t2, inclusive: false);
        if (f is "dedup" or "dedup=first") return log => Filters.Deduplicate(log, DuplicatePolicy.KeepFirst);
        if (f == "dedup=last") return log => Filters.Deduplicate(log, DuplicatePolicy.KeepLast);
        if (f.StartsWith("kcore=", StringComparison.Ordinal))
        {
            var p = f[6..].Split(',');
            if (p.Length is 1 or 2 && int.TryParse(p[0], NumberStyles.Integer, Inv, out int ku) && ku >= 0)
            {
                int ki = ku;
                if (p.Length == 1 || (int.TryParse(p[1], NumberStyles.Integer, Inv, out ki) && ki >= 0))
                    return log => Filters.KCore(log, ku, ki).Log;
            }
        }
        throw new FormatException($"Unknown filter '{f}'. Filters: rating>=X, rating>X, dedup, dedup=last, kcore=K or kcore=KU,KI, joined by ';'.");
    }

    private static ISplitter? ParseSplit(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim() == "predefined") return null;
        var parts = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        ulong seed = 0;
        var shortUsers = (ShortUserPolicy?)null;
        foreach (var opt in parts.Skip(1))
        {
            if (opt.StartsWith("seed=", StringComparison.Ordinal) && ulong.TryParse(opt[5..], NumberStyles.Integer, Inv, out var s)) seed = s;
            else if (opt.StartsWith("short=", StringComparison.Ordinal))
                shortUsers = opt[6..] switch
                {
                    "train" => ShortUserPolicy.TrainOnly,
                    "drop" => ShortUserPolicy.Drop,
                    "error" => ShortUserPolicy.Error,
                    _ => throw new FormatException($"Unknown short-user policy '{opt[6..]}' (train, drop, error)."),
                };
            else throw new FormatException($"Unknown split option '{opt}' in '{text}' (seed=N, short=train|drop|error).");
        }
        var head = parts[0];
        var name = head.Split('=')[0];
        double[] args = head.Contains('=')
            ? head[(head.IndexOf('=') + 1)..].Split(',').Select(a => double.TryParse(a, NumberStyles.Float, Inv, out var v) ? v : throw new FormatException($"'{a}' in split '{text}' is not a number.")).ToArray()
            : [];
        double Arg(int i, double d) => i < args.Length ? args[i] : d;
        return name switch
        {
            "loo" or "leave-one-out" => new LeaveOneOutSplit(shortUsers ?? ShortUserPolicy.TrainOnly),
            "temporal" => new TemporalRatioSplit(Arg(0, 0.7), Arg(1, 0.1), shortUsers ?? ShortUserPolicy.TrainOnly),
            "random" => new RandomRatioSplit(Arg(0, 0.2), Arg(1, 0.1), seed, shortUsers ?? ShortUserPolicy.TrainOnly),
            "global" => new GlobalTemporalSplit(Arg(0, 0.2), Arg(1, 0.1), shortUsers ?? ShortUserPolicy.Drop),
            "leporid" when args.Length == 0 => new LeporidSplit(shortUsers ?? ShortUserPolicy.TrainOnly),
            "leporid" => throw new FormatException($"The leporid split takes no ratios ('{text}'): it is the authors' 70/10/20; use temporal=0.7,0.1 for other shares."),
            _ => throw new FormatException($"Unknown split '{name}'. Splits: loo, temporal[=train,valid], random[=test,valid], global[=test,valid], leporid, predefined."),
        };
    }

    /// <summary>Applies the filters in order.</summary>
    public InteractionLog Filter(InteractionLog log)
    {
        foreach (var step in FilterSteps) log = step(log);
        if (log.Count == 0) throw new InvalidOperationException($"{log.Source ?? "The log"} is empty after the filters '{FilterText}'.");
        return log;
    }

    /// <summary>Filters then splits <paramref name="log"/>.</summary>
    public DataSplit Apply(InteractionLog log)
    {
        if (Splitter is null) throw new InvalidOperationException("This protocol has no split of its own; the dataset must ship a predefined split.");
        return Splitter.Split(Filter(log));
    }
}
