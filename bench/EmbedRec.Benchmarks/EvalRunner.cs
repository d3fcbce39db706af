using System.Diagnostics;
using System.Text.Json;
using EmbedRec.Data;
using EmbedRec.Data.Registry;
using EmbedRec.Data.Splits;
using EmbedRec.Evaluation;
using EmbedRec.Tensors;

namespace EmbedRec.Benchmarks;

/// <summary>
/// Full-ranking evaluation time with random 64-d dot-product embeddings on Gowalla (predefined split)
/// and Amazon Beauty (leave-one-out, train + validation masked): score, mask, top-20, metrics.
/// bench/peers/eval_peer.py does the same in PyTorch. Usage: <c>quick eval [--json] [--block N]</c>;
/// data from EMBEDREC_DATA (default ../shared/data).
/// </summary>
public static class EvalRunner
{
    public static object Run(int block, int repeats)
    {
        var root = Environment.GetEnvironmentVariable("EMBEDREC_DATA") ?? Path.GetFullPath(Path.Combine("..", "shared", "data"));
        var reg = new DatasetRegistry(root, KnownDatasets.All);
        var results = new List<object>();
        foreach (var name in new[] { "gowalla", "amazon-beauty" })
        {
            var ds = reg.Load(name);
            var split = ds.Predefined ?? new LeaveOneOutSplit().Split(ds.Log);
            var exclude = UserItems.Union(split.Train.ToUserItems(), split.Valid.ToUserItems());
            var relevant = split.Test.ToUserItems();
            var rng = new Rng(7);
            int d = 64;
            var ue = new float[split.UserCount * d]; var ie = new float[split.ItemCount * d];
            rng.FillNormal(ue, 0, 0.1f); rng.FillNormal(ie, 0, 0.1f);
            var scorer = new DotProductScorer(ue, ie, d);
            var options = new EvaluationOptions { Cutoffs = [20], Metrics = [Metric.Recall, Metric.Ndcg], BlockSize = block };
            var context = ScoringContext.ExcludeOnly(exclude);
            FullRankingEvaluator.Evaluate(scorer, relevant, context, options); // warm-up
            var times = new List<double>();
            EvaluationResult? r = null;
            for (int i = 0; i < repeats; i++)
            {
                var sw = Stopwatch.StartNew();
                r = FullRankingEvaluator.Evaluate(scorer, relevant, context, options);
                times.Add(sw.Elapsed.TotalSeconds);
            }
            times.Sort();
            results.Add(new { dataset = name, users = r!.Users.Length, items = split.ItemCount, seconds = times[0], recall20 = r["recall@20"], ndcg20 = r["ndcg@20"] });
        }
        return results;
    }
}
