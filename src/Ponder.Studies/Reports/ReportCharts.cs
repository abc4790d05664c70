// The report's charts, rendered headless with ScottPlot (SkiaSharp) to PNG, and to SVG for the two compute charts a
// reader may want to zoom. Logarithmic axes are drawn as linear axes over log values with ticks labelled in the
// original units. SVG charts use solid lines only: SkiaSharp's SVG canvas cannot write dash patterns (it prints a
// warning per line), so series differ there by colour and marker.

using System.Globalization;
using Ponder.Analysis;
using ScottPlot;

namespace Ponder.Studies.Reports;

/// <summary>A chart written to the report folder: its PNG and, where written, its SVG (file names relative to the folder).</summary>
/// <param name="Png">The PNG's file name.</param>
/// <param name="Svg">The SVG's file name, or null.</param>
/// <param name="Title">The chart's title (the image's alt text).</param>
public sealed record ChartFile(string Png, string? Svg, string Title);

/// <summary>Draws the report's charts into a folder.</summary>
internal static class ReportCharts
{
    private const int Width = 1200, Height = 640;
    private const string AccuracyLabel = "accuracy (fraction of problems solved)";
    private const string FlopsLabel = "FLOPs per problem, policy + verifier (log scale)";

    public static ChartFile Scaling(LevelScaling level, string model, string split, string folder)
    {
        string title = $"Level {level.Level}: accuracy versus samples ({level.Problems} problems, {model}, {split} split)";
        var plot = NewPlot(title, "samples per problem k (log scale)", AccuracyLabel);
        double[] x = level.Ks.Select(k => Math.Log2(k)).ToArray();
        AddSeries(plot, "coverage pass@k", x, level.Coverage, Colors.Category10[0]);
        AddSeries(plot, "majority@k", x, level.Majority, Colors.Category10[1]);
        if (level.BestOfN is { } best) AddSeries(plot, "best-of-k (verifier)", x, best, Colors.Category10[2]);
        if (level.WeightedBestOfN is { } weighted) AddSeries(plot, "weighted best-of-k (verifier)", x, weighted, Colors.Category10[3]);
        double maxLog = x[^1];
        if (level.Law is { } law)
        {
            var smooth = Enumerable.Range(0, 101).Select(i => maxLog * i / 100).ToArray();
            var line = plot.Add.ScatterLine(smooth, smooth.Select(l => law.Fit.CoverageAt(Math.Pow(2, l))).ToArray());
            line.LegendText = law.Fit.A == 0 ? "coverage law: coverage 1 at every k" : Invariant($"coverage law exp({law.Fit.A:F3}·k^{law.Fit.B:F3})");
            line.Color = Colors.Category10[0];
            line.LinePattern = LinePattern.Dashed;
            line.LineWidth = 1.5f;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(x, level.Ks.Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray());
        var (low, high) = AccuracyRange(new[] { level.Coverage, level.Majority, level.BestOfN, level.WeightedBestOfN }.OfType<IReadOnlyList<Interval>>()
            .SelectMany(series => series.SelectMany(v => new[] { v.Low, v.High })));
        plot.Axes.SetLimits(-0.2, Math.Max(maxLog, 1) + 0.2, low, high);
        plot.ShowLegend(Alignment.LowerRight);
        return Save(plot, folder, $"scaling-level{level.Level}", svg: false, title);
    }

    public static ChartFile AccuracyVersusFlops(IReadOnlyList<StrategyPoint> points, IReadOnlyList<ComputePoint> frontier, string model, string split, string folder)
    {
        string title = $"Accuracy versus FLOPs per strategy with the Pareto frontier ({model}, {split} split)";
        var plot = NewPlot(title, FlopsLabel, AccuracyLabel);
        // the frontier goes under the strategies' points, dashed, so that no point on it is hidden
        var front = plot.Add.Scatter(frontier.Select(p => Math.Log10(p.Flops)).ToArray(), frontier.Select(p => p.Accuracy).ToArray());
        front.LegendText = "Pareto frontier";
        front.Color = Colors.Black.WithAlpha(0.35);
        front.LineWidth = 6;
        front.LinePattern = LinePattern.Dashed;
        front.MarkerSize = 0;
        int index = 0;
        foreach (var configuration in points.GroupBy(p => p.Label))
        {
            var ordered = configuration.OrderBy(p => p.Budget).ToArray();
            var series = plot.Add.Scatter(ordered.Select(p => Math.Log10(p.Flops)).ToArray(), ordered.Select(p => p.Accuracy.Estimate).ToArray());
            Style(series, configuration.Key + BudgetsLabel(ordered.Select(p => p.Budget.ToString(CultureInfo.InvariantCulture))), index++);
        }
        LogFlopsAxis(plot, points.Select(p => p.Flops).Concat(frontier.Select(p => p.Flops)), points.Select(p => p.Accuracy.Estimate));
        plot.ShowLegend(Edge.Right);
        return Save(plot, folder, "accuracy-vs-flops", svg: true, title);
    }

    public static ChartFile ComputeOptimal(IReadOnlyList<PolicyFindings> policies, IReadOnlyList<AccuracyCurve> baselines, string model, string folder)
    {
        string title = $"Compute-optimal policy (chosen on calibration) versus baselines on the test split ({model})";
        var plot = NewPlot(title, FlopsLabel, AccuracyLabel);
        int index = 0;
        var flops = new List<double>();
        var accuracies = new List<double>();
        foreach (var curve in policies.Select(p => p.Curve).Concat(baselines))
        {
            var series = plot.Add.Scatter(curve.Points.Select(p => Math.Log10(p.Flops)).ToArray(), curve.Points.Select(p => p.Accuracy).ToArray());
            Style(series, curve.Name + BudgetsLabel(curve.Points.Select(p => p.Label.TrimStart('@')).OrderBy(b => int.TryParse(b, out int n) ? n : int.MaxValue)), index++);
            if (index <= policies.Count) series.LineWidth = 3;
            flops.AddRange(curve.Points.Select(p => p.Flops));
            accuracies.AddRange(curve.Points.Select(p => p.Accuracy));
        }
        LogFlopsAxis(plot, flops, accuracies);
        plot.ShowLegend(Edge.Right);
        return Save(plot, folder, "compute-optimal", svg: true, title);
    }

    public static ChartFile FlopsMatchedChart(FlopsMatchedFindings matched, string folder)
    {
        string title = $"FLOPs-matched: {matched.SmallModel} + test-time compute versus {matched.LargeModel}, per difficulty bin";
        var plot = NewPlot(title, "difficulty bin (1 = easiest, from the small model's difficulty)", AccuracyLabel);
        var bins = matched.Rows.Select(r => r.Bin).Distinct().Order().ToArray();
        var large = bins.Select(b => matched.Rows.First(r => r.Bin == b)).ToArray();
        var largeSeries = plot.Add.Scatter(large.Select(r => (double)r.Bin).ToArray(), large.Select(r => r.LargeAccuracy).ToArray());
        Style(largeSeries, $"{matched.LargeModel}, {matched.LargeConfiguration}", 0);
        largeSeries.LineWidth = 3;
        int index = 1;
        foreach (var group in matched.Rows.GroupBy(r => r.InferenceToPretraining))
        {
            var rows = group.Where(r => r.SmallAccuracy is not null).OrderBy(r => r.Bin).ToArray();
            if (rows.Length == 0) continue;
            var series = plot.Add.Scatter(rows.Select(r => (double)r.Bin).ToArray(), rows.Select(r => r.SmallAccuracy!.Value).ToArray());
            string budget = group.Key is { } r ? Invariant($"FLOPs incl. pretraining, R = {r:G3}") : "equal inference FLOPs";
            Style(series, $"{matched.SmallModel}, {matched.SmallCurve}, {budget}", index++);
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(bins.Select(b => (double)b).ToArray(), bins.Select(b => b.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimits(bins[0] - 0.3, bins[^1] + 0.3, 0, 1.05);
        plot.ShowLegend(Edge.Bottom);
        return Save(plot, folder, "flops-matched", svg: false, title);
    }

    public static ChartFile VerifierCeiling(VerifierFindings verifier, string folder)
    {
        string title = Invariant($"PRM as verifier: resample until accepted (threshold {verifier.Overall.Threshold:G3}) versus the accuracy ceiling");
        var plot = NewPlot(title, "attempts allowed K (log scale)", "accuracy (abstaining counts as wrong)");
        int[] attempts = [1, 2, 4, 8, 16, 32, 64];
        double[] x = attempts.Select(a => Math.Log2(a)).ToArray();
        int index = 0;
        foreach (var (label, quality) in verifier.PerLevel.Select(l => ($"level {l.Level}", l.Quality)).Append(("all levels", verifier.Overall)))
        {
            var series = plot.Add.Scatter(x, attempts.Select(quality.AccuracyWithAttempts).ToArray());
            Style(series, Invariant($"{label}: c = {quality.Completeness:F2}, s = {quality.Soundness:F2}, r = {quality.SampleAccuracy:F2}"), index++);
        }
        if (double.IsFinite(verifier.Overall.Ceiling))
        {
            var ceiling = plot.Add.HorizontalLine(verifier.Overall.Ceiling);
            ceiling.LegendText = Invariant($"ceiling c·r/(c·r+(1−r)(1−s)), all levels = {verifier.Overall.Ceiling:F3}");
            ceiling.LinePattern = LinePattern.Dashed;
            ceiling.Color = Colors.Black;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(x, attempts.Select(a => a.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimits(-0.2, x[^1] + 0.2, 0, 1.05);
        plot.ShowLegend(Edge.Right);
        return Save(plot, folder, "verifier", svg: false, title);
    }

    private static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title, size: 15);
        plot.XLabel(xLabel, size: 13);
        plot.YLabel(yLabel, size: 13);
        return plot;
    }

    // " (budget 4)" or " (budgets 1,2,4)"
    private static string BudgetsLabel(IEnumerable<string> budgets)
    {
        var all = budgets.ToArray();
        return $" (budget{(all.Length == 1 ? "" : "s")} {string.Join(",", all)})";
    }

    private static void AddSeries(Plot plot, string label, double[] x, IReadOnlyList<Interval> values, Color color)
    {
        double[] y = values.Select(v => v.Estimate).ToArray();
        var series = plot.Add.Scatter(x, y);
        series.LegendText = label + ", 95% CI over problems";
        series.Color = color;
        series.LineWidth = 2;
        series.MarkerSize = 7;
        var errors = new ScottPlot.Plottables.ErrorBar(x, y, null, null,
            values.Select(v => v.High - v.Estimate).ToArray(), values.Select(v => v.Estimate - v.Low).ToArray()) { Color = color };
        plot.Add.Plottable(errors);
    }

    private static readonly MarkerShape[] Markers =
        [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.OpenCircle, MarkerShape.OpenSquare];

    // Category10 without its gray, which would pass for the Pareto frontier (thick, dashed, translucent black); past nine
    // series the colours repeat with another marker.
    private static readonly Color[] SeriesColors = [.. Colors.Category10.Where(c => c != Colors.Category10[7])];

    private static void Style(ScottPlot.Plottables.Scatter series, string label, int index)
    {
        series.LegendText = label;
        series.Color = SeriesColors[index % SeriesColors.Length];
        series.MarkerShape = Markers[index / SeriesColors.Length % Markers.Length];
        series.LineWidth = 2;
        series.MarkerSize = 8;
    }

    // A log₁₀ FLOPs axis: ticks at 1, 2 and 5 × 10^e (more mantissas when the data spans a decade or less)
    // within the data's range, labelled like 2e8; the accuracy axis is fitted to the data.
    private static void LogFlopsAxis(Plot plot, IEnumerable<double> flops, IEnumerable<double> accuracies)
    {
        var logs = flops.Where(f => f > 0).Select(Math.Log10).ToArray();
        double min = logs.Length == 0 ? 0 : logs.Min(), max = logs.Length == 0 ? 1 : logs.Max();
        double pad = Math.Max(0.05, (max - min) * 0.08);
        int[] mantissas = max - min < 1 ? [1, 2, 3, 4, 5, 6, 8] : max - min < 1.5 ? [1, 2, 3, 5] : [1, 2, 5];
        var ticks = new List<(double, string)>();
        for (int e = (int)Math.Floor(min - pad); e <= (int)Math.Ceiling(max + pad); e++)
            foreach (int m in mantissas)
            {
                double position = e + Math.Log10(m);
                if (position >= min - pad && position <= max + pad) ticks.Add((position, Invariant($"{m}e{e}")));
            }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.Select(t => t.Item1).ToArray(), ticks.Select(t => t.Item2).ToArray());
        var (low, high) = AccuracyRange(accuracies);
        plot.Axes.SetLimits(min - pad, max + pad, low, high);
    }

    // Accuracy limits around the data, so that differences of a few points stay visible; never beyond [0, 1] plus a margin.
    private static (double Low, double High) AccuracyRange(IEnumerable<double> accuracies)
    {
        var values = accuracies.Where(double.IsFinite).ToArray();
        if (values.Length == 0) return (0, 1.05);
        double low = values.Min(), high = values.Max(), pad = Math.Max(0.05, (high - low) * 0.12);
        return (Math.Max(-0.02, low - pad), Math.Min(1.02, high + pad));
    }

    private static ChartFile Save(Plot plot, string folder, string name, bool svg, string title)
    {
        plot.SavePng(Path.Combine(folder, name + ".png"), Width, Height);
        if (svg) plot.SaveSvg(Path.Combine(folder, name + ".svg"), Width, Height);
        return new ChartFile(name + ".png", svg ? name + ".svg" : null, title);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
