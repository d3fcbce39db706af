using System.Globalization;
using System.Text;
using EmbedRec.Data;

namespace EmbedRec.Training;

/// <summary>The run report: report.md with the final metrics and SVG plots of the training curves.</summary>
public static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Writes report.md, loss.svg, valid.svg, (when tracked) erank.svg and (embedding models) spectrum.svg into <paramref name="dir"/>.</summary>
    public static void Write(string dir, TrainingResult result, TrainerOptions options, IReadOnlyDictionary<string, object?>? record = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var md = new StringBuilder();
        md.AppendLine(Inv, $"# {result.Model}").AppendLine();
        md.AppendLine(Inv, $"Trained {result.History.Count} epochs in {result.TrainSeconds:0.#} s; kept epoch {result.BestEpoch}{(result.StoppedEarly ? " (early stopping)" : "")}.").AppendLine();
        foreach (var key in new[] { "objective", "init", "optimizer" })
            if (record is not null && record.TryGetValue(key, out var text) && text is string line) md.AppendLine(Inv, $"{char.ToUpperInvariant(key[0])}{key[1..]}: {line}.").AppendLine();
        if (result.ItemSmoothness is { } js) md.AppendLine(Inv, $"Smoothness of the item embeddings over the item co-occurrence graph, J(X)/‖X‖² = {js:0.0000} (lower is smoother).").AppendLine();
        if (result.ItemErank is { } itemErank) md.AppendLine(Inv, $"Effective rank of the final item embeddings: {itemErank:0.0}.").AppendLine();
        if (options.ValidUsers > 0 && result.Valid is { } sampled)
            md.AppendLine(Inv, $"Validation scored {sampled.Users.Length:N0} users, at most valid_users = {options.ValidUsers:N0} drawn by the seed; the test scored all {result.Test.Users.Length:N0} users with test items.").AppendLine();
        md.AppendLine("| metric | validation | test |").AppendLine("|---|---|---|");
        foreach (var (k, v) in result.Test.Means)
            md.AppendLine(Inv, $"| {k} | {(result.Valid is not null && result.Valid.Means.TryGetValue(k, out var vv) ? vv.ToString("0.0000", Inv) : "")} | {v:0.0000} |");
        md.AppendLine();
        var epochs = result.History.Select(h => (double)h.Epoch).ToArray();
        if (epochs.Length > 0)
        {
            AtomicFile.WriteAllText(Path.Combine(dir, "loss.svg"), SvgPlot.Line("Training loss", "epoch", "loss", [("loss", epochs, result.History.Select(h => h.Loss).ToArray())]));
            md.AppendLine("![training loss](loss.svg)").AppendLine();
            var evals = result.History.Where(h => h.Valid is not null && h.Valid.ContainsKey(options.ValidMetric)).ToList();
            if (evals.Count > 0)
            {
                AtomicFile.WriteAllText(Path.Combine(dir, "valid.svg"), SvgPlot.Line($"Validation {options.ValidMetric}", "epoch", options.ValidMetric,
                    [(options.ValidMetric, evals.Select(h => (double)h.Epoch).ToArray(), evals.Select(h => h.Valid![options.ValidMetric]).ToArray())]));
                md.AppendLine("![validation metric](valid.svg)").AppendLine();
            }
            var er = result.History.Where(h => h.Erank is not null).ToList();
            if (er.Count > 0)
            {
                AtomicFile.WriteAllText(Path.Combine(dir, "erank.svg"), SvgPlot.Line("Effective rank of item embeddings", "epoch", "erank",
                    [("erank", er.Select(h => (double)h.Epoch).ToArray(), er.Select(h => h.Erank!.Value).ToArray())]));
                md.AppendLine("![effective rank](erank.svg)").AppendLine();
            }
        }
        if (result.ItemSpectrum is { Count: > 0 } spectrum)
        {
            var k = Enumerable.Range(1, spectrum.Count).Select(i => (double)i).ToArray();
            double top = spectrum[0] > 0 ? spectrum[0] : 1;
            AtomicFile.WriteAllText(Path.Combine(dir, "spectrum.svg"), SvgPlot.Line("Singular values of the final item embeddings (σₖ/σ₁)", "k", "σₖ/σ₁",
                [("item embeddings", k, spectrum.Select(x => x / top).ToArray())]));
            md.AppendLine("![final spectrum](spectrum.svg)").AppendLine();
        }
        AtomicFile.WriteAllText(Path.Combine(dir, "report.md"), md.ToString());
    }
}

/// <summary>Minimal SVG line charts (no dependencies): axes with ticks, one polyline per series, a legend.</summary>
public static class SvgPlot
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

    /// <summary>An SVG document plotting each (name, x, y) series.</summary>
    public static string Line(string title, string xLabel, string yLabel, IReadOnlyList<(string Name, double[] X, double[] Y)> series, int width = 640, int height = 400)
    {
        ArgumentNullException.ThrowIfNull(series);
        const int left = 70, right = 20, top = 40, bottom = 50;
        var xs = series.SelectMany(s => s.X).Where(double.IsFinite).DefaultIfEmpty(0).ToArray();
        var ys = series.SelectMany(s => s.Y).Where(double.IsFinite).DefaultIfEmpty(0).ToArray();
        double x0 = xs.Min(), x1 = xs.Max(), y0 = ys.Min(), y1 = ys.Max();
        if (x1 == x0) { x0 -= 1; x1 += 1; }
        if (y1 == y0) { y0 -= Math.Abs(y0) * 0.1 + 1e-9; y1 += Math.Abs(y1) * 0.1 + 1e-9; }
        double pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad;
        double Px(double x) => left + (x - x0) / (x1 - x0) * (width - left - right);
        double Py(double y) => height - bottom - (y - y0) / (y1 - y0) * (height - top - bottom);
        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">");
        sb.Append(Inv, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        sb.Append(Inv, $"<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Esc(title)}</text>");
        sb.Append(Inv, $"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\" stroke=\"black\"/>");
        sb.Append(Inv, $"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{height - bottom}\" stroke=\"black\"/>");
        for (int t = 0; t <= 5; t++)
        {
            double xv = x0 + (x1 - x0) * t / 5, yv = y0 + (y1 - y0) * t / 5;
            sb.Append(Inv, $"<text x=\"{Px(xv):0.#}\" y=\"{height - bottom + 18}\" text-anchor=\"middle\">{xv:G4}</text>");
            sb.Append(Inv, $"<text x=\"{left - 6}\" y=\"{Py(yv) + 4:0.#}\" text-anchor=\"end\">{yv:G4}</text>");
            sb.Append(Inv, $"<line x1=\"{left}\" y1=\"{Py(yv):0.#}\" x2=\"{width - right}\" y2=\"{Py(yv):0.#}\" stroke=\"#eee\"/>");
        }
        sb.Append(Inv, $"<text x=\"{(left + width - right) / 2}\" y=\"{height - 10}\" text-anchor=\"middle\">{Esc(xLabel)}</text>");
        sb.Append(Inv, $"<text x=\"16\" y=\"{(top + height - bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {(top + height - bottom) / 2})\">{Esc(yLabel)}</text>");
        for (int s = 0; s < series.Count; s++)
        {
            var (name, x, y) = series[s];
            var pts = string.Join(" ", x.Zip(y).Where(p => double.IsFinite(p.Second)).Select(p => string.Create(Inv, $"{Px(p.First):0.##},{Py(p.Second):0.##}")));
            string color = Colors[s % Colors.Length];
            sb.Append(Inv, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{pts}\"/>");
            sb.Append(Inv, $"<text x=\"{width - right - 5}\" y=\"{top + 14 * (s + 1)}\" text-anchor=\"end\" fill=\"{color}\">{Esc(name)}</text>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static string Esc(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
