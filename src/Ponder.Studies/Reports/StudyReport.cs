// The study report: index.html with its charts (PNG, SVG for the compute charts) and tables, summary.json with the
// headline figures, configuration, seeds and command line, and the policy files. The page is static: images are
// referenced by relative file name, the style is inline, there is no script and no network reference, so the folder
// opens from disk anywhere. A section whose data the study lacks is replaced by a one-line note.

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ponder.Analysis;

namespace Ponder.Studies.Reports;

/// <summary>What <see cref="StudyReport.Write"/> wrote, as paths inside the report folder.</summary>
/// <param name="Html">The page (<c>index.html</c>).</param>
/// <param name="Summary">The headline figures (<c>summary.json</c>).</param>
/// <param name="Charts">Every chart.</param>
/// <param name="Policies">The policy files (<c>policy-predicted.json</c>, <c>policy-oracle.json</c>) that were written.</param>
public sealed record ReportFiles(string Html, string Summary, IReadOnlyList<ChartFile> Charts, IReadOnlyList<string> Policies);

/// <summary>Writes a study's report folder. Not thread-safe for one folder.</summary>
public static class StudyReport
{
    /// <summary>The summary's key for the efficiency multiplier against weighted best-of-N.</summary>
    public const string EfficiencyVsWeightedKey = "efficiency_vs_weighted_best_of_n";

    /// <summary>The summary's key for the efficiency multiplier against majority vote.</summary>
    public const string EfficiencyVsMajorityKey = "efficiency_vs_majority";

    // Every file name a report may write; only these are replaced in an existing folder.
    private static readonly string[] OwnedFiles =
        ["index.html", "summary.json", "policy-predicted.json", "policy-oracle.json", "scaling-level*.png", "accuracy-vs-flops.*", "compute-optimal.*", "flops-matched.*", "verifier.*"];

    /// <summary>
    /// Writes index.html, summary.json, the charts and the policy files of <paramref name="findings"/> (analysed from
    /// <paramref name="data"/> with <paramref name="options"/>) into <paramref name="folder"/>, creating it;
    /// <paramref name="commandLine"/> is recorded as the command that made the report. Files of an earlier report in the
    /// folder are replaced; other files are left alone.
    /// </summary>
    public static ReportFiles Write(StudyData data, StudyFindings findings, StudyAnalysisOptions options, string folder, string commandLine)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(folder);
        Directory.CreateDirectory(folder);
        // A report written over an older one must not leave its charts or policies behind to be mistaken for new ones.
        foreach (string pattern in OwnedFiles)
            foreach (string stale in Directory.GetFiles(folder, pattern)) File.Delete(stale);
        var charts = new List<ChartFile>();
        var policies = new List<string>();
        foreach (var (policy, file) in new[] { (findings.PredictedPolicy, "policy-predicted.json"), (findings.OraclePolicy, "policy-oracle.json") })
            if (policy is not null)
            {
                policy.Policy.Save(Path.Combine(folder, file));
                policies.Add(file);
            }

        var html = new Html();
        html.Line("<!DOCTYPE html>");
        html.Line("<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Ponder study report</title>");
        html.Line("<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}" +
            "table{border-collapse:collapse;margin:0.8em 0}td,th{border:1px solid #bbb;padding:0.25em 0.6em;text-align:right}" +
            "th{background:#eee}td.text,th.text{text-align:left}img{max-width:100%;border:1px solid #ddd}.note{color:#8a4b00}" +
            "code{background:#f4f4f4;padding:0 0.2em}</style></head><body>");
        html.Line("<h1>Ponder study report</h1>");
        html.Line($"<p>Made by <code>{E(commandLine)}</code>. Small policy: <b>{E(findings.SmallModel)}</b>; curves on the <b>{E(findings.EvaluationSplit)}</b> split. " +
            "Accuracy is the fraction of problems solved (pool strategies: the expectation over subsets of the pool); FLOPs are per problem, policy and verifier together; intervals are 95% bootstrap intervals over problems.</p>");
        Runs(html, data);
        Headline(html, findings);

        html.Line("<h2>Scaling with samples</h2>");
        if (findings.Levels.Count == 0) html.Note("No pools of samples in the store: scaling curves left out.");
        else
        {
            CoverageLawTable(html, findings.Levels);
            foreach (var level in findings.Levels) html.Chart(Add(charts, ReportCharts.Scaling(level, findings.SmallModel, findings.EvaluationSplit, folder)));
        }

        html.Line("<h2>Accuracy versus FLOPs</h2>");
        if (findings.Points.Count == 0) html.Note("No strategy results in the store: accuracy versus FLOPs left out.");
        else
        {
            html.Chart(Add(charts, ReportCharts.AccuracyVersusFlops(findings.Points, findings.Frontier, findings.SmallModel, findings.EvaluationSplit, folder)));
            StrategyTable(html, findings);
        }

        html.Line("<h2>Compute-optimal policy</h2>");
        var policyFindings = new[] { findings.PredictedPolicy, findings.OraclePolicy }.OfType<PolicyFindings>().ToArray();
        if (policyFindings.Length == 0) html.Note("No compute-optimal policy: the store needs calibration and test runs of the small model.");
        else
        {
            html.Chart(Add(charts, ReportCharts.ComputeOptimal(policyFindings, findings.Baselines, findings.SmallModel, folder)));
            foreach (var policy in policyFindings) PolicyTable(html, policy, policies, options.PilotDrawsOrDefault);
        }

        html.Line("<h2>FLOPs-matched: small model with test-time compute versus a larger model</h2>");
        if (findings.FlopsMatched is not { } matched) html.Note("No large model in the study: FLOPs-matched comparison left out.");
        else
        {
            if (matched.Rows.Count > 0) html.Chart(Add(charts, ReportCharts.FlopsMatchedChart(matched, folder)));
            var unaffordable = matched.Rows.Where(r => r.SmallAccuracy is null).Select(r => r.InferenceToPretraining is { } ratio ? $"R = {F(ratio, "G3")}" : "equal inference FLOPs")
                .Distinct().ToArray();
            if (unaffordable.Length > 0)
                html.Note($"Missing from the chart where the small model's cheapest configuration costs more than it may spend: {string.Join("; ", unaffordable)} (see the table).");
            FlopsMatchedTable(html, matched);
        }

        html.Line("<h2>The verifier: completeness, soundness and accuracy ceiling</h2>");
        if (findings.Verifier is not { } verifier) html.Note("No verifier scores in the store: verifier figures left out.");
        else
        {
            html.Chart(Add(charts, ReportCharts.VerifierCeiling(verifier, folder)));
            VerifierTable(html, verifier);
        }
        html.Line("</body></html>");

        string htmlPath = Path.Combine(folder, "index.html");
        File.WriteAllText(htmlPath, html.ToString());
        string summaryPath = Path.Combine(folder, "summary.json");
        File.WriteAllText(summaryPath, Summary(data, findings, options, commandLine, policies).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return new ReportFiles("index.html", "summary.json", charts, policies);
    }

    private static ChartFile Add(List<ChartFile> charts, ChartFile chart)
    {
        charts.Add(chart);
        return chart;
    }

    // ── HTML sections ──────────────────────────────────────────────────────────────────────────────────────────────

    private static void Runs(Html html, StudyData data)
    {
        html.Line("<h2>Runs</h2><table><tr><th class=\"text\">model</th><th class=\"text\">split</th><th>problems</th><th>pool samples</th><th>seed</th><th>temperature</th><th class=\"text\">store</th></tr>");
        foreach (var run in data.Runs)
            html.Line($"<tr><td class=\"text\">{E(run.Model)}</td><td class=\"text\">{E(run.Split)}</td><td>{run.Results.Select(r => r.ProblemId).Distinct().Count()}</td>" +
                $"<td>{run.Samples.Count}</td><td>{run.Seed}</td><td>{F(run.Temperature, "G3")}</td><td class=\"text\">{E(Path.GetFileName(run.Source))}</td></tr>");
        html.Line("</table>");
    }

    // A sentence on another policy's multipliers beside the headline's, with their intervals.
    private static void Beside(Html html, string lead, EfficiencyComparison? versusWeighted, EfficiencyComparison? versusMajority)
    {
        var parts = new[] { ("weighted best-of-N", versusWeighted), ("majority vote", versusMajority) }.Where(c => c.Item2 is not null)
            .Select(c => $"{c.Item2!.MultiplierText}{(c.Item2.IntervalText is { } i ? $" (95% interval {i})" : "")} against {c.Item1}").ToArray();
        if (parts.Length > 0) html.Line($"<p>{E(lead)} {string.Join(" and ", parts)}.</p>");
    }

    private static void Headline(Html html, StudyFindings findings)
    {
        html.Line("<h2>Headline figures</h2>");
        if (findings.HeadlinePolicy is { } policy)
        {
            html.Line($"<p>Efficiency multiplier of <b>{E(policy.Name)}</b> on the test split: FLOPs the baseline needs ÷ FLOPs the policy needs for the same accuracy, " +
                "interpolated in log-FLOPs, geometric mean over the accuracy range both reach; the interval is a 95% percentile bootstrap over test problems. " +
                "≥ marks a lower bound: the policy's cheapest point is above the baseline's best accuracy, so the range both reach is that accuracy alone.</p>");
            html.Line("<table><tr><th class=\"text\">baseline</th><th>efficiency multiplier</th><th>95% interval</th><th>accuracy range</th></tr>");
            foreach (var (name, comparison) in new[] { ("weighted best-of-N", findings.EfficiencyVsWeightedBestOfN), ("majority vote", findings.EfficiencyVsMajority) })
                html.Line(comparison is null
                    ? $"<tr><td class=\"text\">{name}</td><td>–</td><td>–</td><td>–</td></tr>"
                    : $"<tr><td class=\"text\">{name}</td><td><b>{comparison.MultiplierText}</b></td>"
                        + $"<td>{comparison.IntervalText ?? "–"}</td><td>{F(comparison.AccuracyLow, "F3")}–{F(comparison.AccuracyHigh, "F3")}</td></tr>");
            html.Line("</table>");
            Beside(html, "Upper bound, not deployable: the same policy binning by oracle difficulty (the answer) would reach",
                findings.OracleUpperBoundVsWeightedBestOfN, findings.OracleUpperBoundVsMajority);
            Beside(html, "Optimistic, not a result: the same selection made on the test split itself (it reads test labels, so no selection noise; " +
                "it maximises accuracy per bin and budget, not the multiplier, so it is no bound) would reach",
                findings.InSampleVsWeightedBestOfN, findings.InSampleVsMajority);
        }
        else html.Note("No compute-optimal policy, so no efficiency multiplier.");
        if (findings.Notes.Count > 0)
        {
            html.Line("<p>Notes:</p><ul>");
            foreach (string note in findings.Notes) html.Line($"<li class=\"note\">{E(note)}</li>");
            html.Line("</ul>");
        }
    }

    private static void CoverageLawTable(Html html, IReadOnlyList<LevelScaling> levels)
    {
        html.Line("<p>Coverage law log(coverage) = a·k<sup>b</sup>, fitted by least squares in log coverage on log-spaced k; samples for 90% coverage extrapolated with a 95% bootstrap interval over problems.</p>");
        html.Line("<table><tr><th>level</th><th>problems</th><th>a</th><th>b</th><th>RMS error (log coverage)</th><th>max coverage error</th><th>samples for 90% coverage</th><th>95% interval</th></tr>");
        foreach (var level in levels)
        {
            if (level.Law is not { } law)
            {
                html.Line($"<tr><td>{level.Level}</td><td>{level.Problems}</td><td colspan=\"6\" class=\"text note\">not fitted: too few samples per problem, or no coverage</td></tr>");
                continue;
            }
            html.Line($"<tr><td>{level.Level}</td><td>{level.Problems}</td><td>{F(law.Fit.A, "F4")}</td><td>{F(law.Fit.B, "F4")}</td><td>{F(law.Fit.RmsLogError, "G3")}</td>" +
                $"<td>{F(law.Fit.MaxCoverageError, "F4")}</td><td>{Samples(law.SamplesNeeded)}</td><td>{Samples(law.SamplesNeededLow)}–{Samples(law.SamplesNeededHigh)}</td></tr>");
        }
        html.Line("</table>");
    }

    private static void StrategyTable(Html html, StudyFindings findings)
    {
        var frontier = findings.Frontier.Select(p => p.Label).ToHashSet(StringComparer.Ordinal);
        html.Line("<table><tr><th class=\"text\">configuration</th><th>budget</th><th>problems</th><th>accuracy</th><th>95% CI</th><th>FLOPs per problem</th><th class=\"text\">Pareto frontier</th></tr>");
        foreach (var p in findings.Points)
            html.Line($"<tr><td class=\"text\">{E(p.Label)}</td><td>{p.Budget}</td><td>{p.Problems}</td><td>{F(p.Accuracy.Estimate, "F3")}</td>" +
                $"<td>{F(p.Accuracy.Low, "F3")}–{F(p.Accuracy.High, "F3")}</td><td>{F(p.Flops, "0.00e+0")}</td><td class=\"text\">{(frontier.Contains($"{p.Label} @{p.Budget}") ? "yes" : "")}</td></tr>");
        html.Line("</table>");
    }

    private static void PolicyTable(Html html, PolicyFindings findings, IReadOnlyList<string> files, int pilotDraws)
    {
        var policy = findings.Policy;
        string file = policy.Difficulty == DifficultyMeasure.Predicted ? "policy-predicted.json" : "policy-oracle.json";
        string how = policy.Difficulty == DifficultyMeasure.Predicted
            ? $"predicted difficulty: the mean final verifier score of a pilot of {policy.PilotSamples} samples, whose FLOPs are charged to the policy (a sampling configuration keeps the pilot's samples as its first candidates, as compute-optimal does). A pilot is any {policy.PilotSamples} of a problem's samples, so every figure is the mean over a problem's pilots: every {policy.PilotSamples}-subset of its pool, or {pilotDraws} drawn at random when it has more"
            : "oracle difficulty: pass@1 of the pool (an upper bound: binning reads the answers)";
        html.Line($"<h3>{E(findings.Name)}</h3><p>Bins fitted on the calibration split by {E(how)}; thresholds {string.Join(", ", policy.Bins.Thresholds.Select(t => F(t, "F3")))}. " +
            $"Each cell: the configuration with the best calibration accuracy for the bin among those that fit the budget, in generations{(policy.Difficulty == DifficultyMeasure.Predicted ? " with the pilot" : "")} (ties to fewer FLOPs; @n when it runs at a smaller budget n), then calibration → test accuracy." +
            (files.Contains(file) ? $" Policy file: <a href=\"{file}\">{file}</a>" : "") +
            (files.Contains(file) && policy.Difficulty == DifficultyMeasure.Predicted ? $" (apply with <code>ponder solve --strategy compute-optimal --policy {file}</code>)." : ".") + "</p>");
        html.Line("<table><tr><th>bin (1 = easiest)</th>" + string.Concat(policy.Budgets.Select(b => $"<th class=\"text\">budget {b}</th>")) + "</tr>");
        for (int bin = 1; bin <= policy.Bins.Count; bin++)
        {
            html.Append($"<tr><td>{bin}</td>");
            foreach (int budget in policy.Budgets)
            {
                var entry = policy.Entries.Single(e => e.Bin == bin && e.Budget == budget);
                var test = findings.PerBin.FirstOrDefault(b => b.Bin == bin && b.Budget == budget);
                string entryOptions = entry.Options == "{}" ? "" : " " + entry.Options.Trim('{', '}').Replace("\"", "").Replace(",", ", ");
                string runBudget = entry.RunBudget < entry.Budget ? $" @{entry.RunBudget}" : "";
                html.Append($"<td class=\"text\">{E(entry.Strategy + entryOptions + runBudget)}<br>{F(entry.CalibrationAccuracy, "F3")} (n={entry.CalibrationProblems}{(entry.PooledFallback ? ", all bins" : "")}) → " +
                    (test is null ? "–" : $"{F(test.Accuracy, "F3")} (n={test.Problems})") + "</td>");
            }
            html.Line("</tr>");
        }
        html.Line("</table>");
        html.Line("<table><tr><th>budget</th><th>test problems</th><th>test accuracy</th><th>95% CI</th><th>FLOPs per problem</th></tr>");
        foreach (var t in findings.Test)
            html.Line($"<tr><td>{t.Budget}</td><td>{t.Problems}</td><td>{F(t.Accuracy.Estimate, "F3")}</td><td>{F(t.Accuracy.Low, "F3")}–{F(t.Accuracy.High, "F3")}</td><td>{F(t.Flops, "0.00e+0")}</td></tr>");
        html.Line("</table>");
    }

    private static void FlopsMatchedTable(Html html, FlopsMatchedFindings matched)
    {
        html.Line($"<p>Per difficulty bin: {E(matched.LargeModel)} ({E(matched.LargeConfiguration)}) against {E(matched.SmallModel)} with {E(matched.SmallCurve)} at the FLOPs it may spend: " +
            "equal inference FLOPs, or with pretraining counted (M·(X+Y), X = 6·N·D<sub>pretrain</sub>, Y = 2·N·D<sub>inference</sub>) M + 3(M−1)/R times its own cost of the large model's tokens, R = D<sub>inference</sub>/D<sub>pretrain</sub>" +
            (matched.ParameterRatio is { } m ? $"; M = {F(m, "F2")}." : "; parameter counts unknown, so no pretraining rows.") + "</p>");
        if (matched.Rows.Count == 0)
        {
            html.Note("No bin has problems run by both models.");
            return;
        }
        html.Line("<table><tr><th>bin</th><th class=\"text\">FLOPs budget</th><th>large accuracy</th><th>large FLOPs</th><th>small FLOPs allowed</th><th>small accuracy</th><th class=\"text\">better</th></tr>");
        foreach (var r in matched.Rows)
            html.Line($"<tr><td>{r.Bin}</td><td class=\"text\">{(r.InferenceToPretraining is { } ratio ? $"with pretraining, R = {F(ratio, "G3")}" : "inference only")}</td>" +
                $"<td>{F(r.LargeAccuracy, "F3")}</td><td>{F(r.LargeFlops, "0.00e+0")}</td><td>{F(r.SmallFlopsAllowed, "0.00e+0")}</td>" +
                $"<td>{(r.SmallAccuracy is { } a ? F(a, "F3") : "below its cheapest configuration")}</td><td class=\"text\">{r.Winner}</td></tr>");
        html.Line("</table>");
    }

    private static void VerifierTable(Html html, VerifierFindings verifier)
    {
        html.Line($"<p>The verifier's final step score (PRM or confidence) as an accept/reject test (accept when ≥ {F(verifier.Overall.Threshold, "G3")}), judged against the exact checker: completeness c = P(accept | correct), " +
            "soundness s = P(reject | incorrect), per-sample accuracy r, and the ceiling c·r / (c·r + (1−r)(1−s)) of resampling until the first accept.</p>");
        html.Line("<table><tr><th class=\"text\">level</th><th>samples</th><th>r</th><th>c</th><th>s</th><th>ceiling</th></tr>");
        foreach (var (label, q) in verifier.PerLevel.Select(l => (l.Level.ToString(CultureInfo.InvariantCulture), l.Quality)).Append(("all", verifier.Overall)))
            html.Line($"<tr><td class=\"text\">{label}</td><td>{q.Samples}</td><td>{F(q.SampleAccuracy, "F3")}</td><td>{F(q.Completeness, "F3")}</td><td>{F(q.Soundness, "F3")}</td><td>{F(q.Ceiling, "F3")}</td></tr>");
        html.Line("</table>");
    }

    // ── summary.json ───────────────────────────────────────────────────────────────────────────────────────────────

    private static JsonObject Summary(StudyData data, StudyFindings findings, StudyAnalysisOptions options, string commandLine, IReadOnlyList<string> policies)
    {
        JsonNode? Efficiency(EfficiencyComparison? c) => c is null ? null : new JsonObject
        {
            ["geometric_mean"] = N(c.GeometricMean), ["accuracy_low"] = N(c.AccuracyLow), ["accuracy_high"] = N(c.AccuracyHigh),
            ["interval_95"] = c.Interval is { } i ? new JsonArray(N(i.Low), N(i.High)) : null,
            ["lower_bound"] = c.LowerBound,
            ["baseline"] = c.Baseline, ["policy"] = c.Policy,
            ["samples"] = new JsonArray(c.Samples.Select(s => (JsonNode)new JsonObject { ["accuracy"] = N(s.Accuracy), ["multiplier"] = N(s.Multiplier) }).ToArray()),
        };
        JsonNode? Policy(PolicyFindings? p) => p is null ? null : new JsonObject
        {
            ["name"] = p.Name, ["file"] = policies.FirstOrDefault(f => f.Contains(p.Policy.Difficulty == DifficultyMeasure.Predicted ? "predicted" : "oracle", StringComparison.Ordinal)),
            ["pilot_charged"] = p.PilotCharged,
            ["test"] = new JsonArray(p.Test.Select(t => (JsonNode)new JsonObject
            {
                ["budget"] = t.Budget, ["problems"] = t.Problems, ["flops"] = N(t.Flops), ["accuracy"] = N(t.Accuracy.Estimate),
                ["ci_low"] = N(t.Accuracy.Low), ["ci_high"] = N(t.Accuracy.High),
            }).ToArray()),
        };
        var matched = findings.FlopsMatched;
        var runs = data.Runs.Select(r => (JsonNode)new JsonObject
        {
            ["store"] = r.Source, ["model"] = r.Model, ["split"] = r.Split, ["seed"] = r.Seed, ["temperature"] = N(r.Temperature),
            ["config"] = JsonNode.Parse(r.Config),
        }).ToArray();
        return new JsonObject
        {
            [EfficiencyVsWeightedKey] = N(findings.EfficiencyVsWeightedBestOfN?.GeometricMean),
            [EfficiencyVsMajorityKey] = N(findings.EfficiencyVsMajority?.GeometricMean),
            ["headline_policy"] = findings.HeadlinePolicy?.Name,
            ["efficiency"] = new JsonObject
            {
                ["vs_weighted_best_of_n"] = Efficiency(findings.EfficiencyVsWeightedBestOfN), ["vs_majority"] = Efficiency(findings.EfficiencyVsMajority),
                // The oracle-difficulty policy beside a predicted headline: an upper bound, labelled as one.
                ["oracle_upper_bound"] = new JsonObject
                {
                    ["vs_weighted_best_of_n"] = Efficiency(findings.OracleUpperBoundVsWeightedBestOfN), ["vs_majority"] = Efficiency(findings.OracleUpperBoundVsMajority),
                },
                // The predicted policy's selection made on the test split itself: optimistic, labelled as such.
                ["in_sample"] = new JsonObject
                {
                    ["vs_weighted_best_of_n"] = Efficiency(findings.InSampleVsWeightedBestOfN), ["vs_majority"] = Efficiency(findings.InSampleVsMajority),
                },
            },
            ["flops_matched"] = matched is null ? null : new JsonObject
            {
                ["small_model"] = matched.SmallModel, ["large_model"] = matched.LargeModel, ["parameter_ratio"] = N(matched.ParameterRatio),
                ["small_curve"] = matched.SmallCurve, ["large_configuration"] = matched.LargeConfiguration,
                ["rows"] = new JsonArray(matched.Rows.Select(r => (JsonNode)new JsonObject
                {
                    ["bin"] = r.Bin, ["inference_to_pretraining"] = N(r.InferenceToPretraining), ["large_accuracy"] = N(r.LargeAccuracy),
                    ["large_flops"] = N(r.LargeFlops), ["small_flops_allowed"] = N(r.SmallFlopsAllowed), ["small_accuracy"] = N(r.SmallAccuracy), ["winner"] = r.Winner,
                }).ToArray()),
            },
            ["coverage_law"] = new JsonArray(findings.Levels.Select(l => (JsonNode)new JsonObject
            {
                ["level"] = l.Level, ["problems"] = l.Problems, ["a"] = N(l.Law?.Fit.A), ["b"] = N(l.Law?.Fit.B), ["rms_log_error"] = N(l.Law?.Fit.RmsLogError),
                ["max_coverage_error"] = N(l.Law?.Fit.MaxCoverageError), ["samples_for_90_percent"] = N(l.Law?.SamplesNeeded),
                ["samples_for_90_percent_low"] = N(l.Law?.SamplesNeededLow), ["samples_for_90_percent_high"] = N(l.Law?.SamplesNeededHigh),
            }).ToArray()),
            ["policies"] = new JsonObject { ["predicted"] = Policy(findings.PredictedPolicy), ["oracle"] = Policy(findings.OraclePolicy) },
            ["strategies"] = new JsonArray(findings.Points.Select(p => (JsonNode)new JsonObject
            {
                ["strategy"] = p.Strategy, ["options"] = JsonNode.Parse(p.Options), ["budget"] = p.Budget, ["problems"] = p.Problems, ["flops"] = N(p.Flops),
                ["accuracy"] = N(p.Accuracy.Estimate), ["ci_low"] = N(p.Accuracy.Low), ["ci_high"] = N(p.Accuracy.High),
            }).ToArray()),
            ["pareto_frontier"] = new JsonArray(findings.Frontier.Select(p => (JsonNode)new JsonObject { ["label"] = p.Label, ["flops"] = N(p.Flops), ["accuracy"] = N(p.Accuracy) }).ToArray()),
            ["verifier"] = findings.Verifier is not { } v ? null : new JsonObject
            {
                ["threshold"] = N(v.Overall.Threshold), ["samples"] = v.Overall.Samples, ["sample_accuracy"] = N(v.Overall.SampleAccuracy),
                ["completeness"] = N(v.Overall.Completeness), ["soundness"] = N(v.Overall.Soundness), ["ceiling"] = N(v.Overall.Ceiling),
                ["per_level"] = new JsonArray(v.PerLevel.Select(l => (JsonNode)new JsonObject
                {
                    ["level"] = l.Level, ["samples"] = l.Quality.Samples, ["sample_accuracy"] = N(l.Quality.SampleAccuracy), ["completeness"] = N(l.Quality.Completeness),
                    ["soundness"] = N(l.Quality.Soundness), ["ceiling"] = N(l.Quality.Ceiling),
                }).ToArray()),
            },
            ["notes"] = new JsonArray(findings.Notes.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
            ["config"] = new JsonObject
            {
                ["small_model"] = findings.SmallModel, ["evaluation_split"] = findings.EvaluationSplit, ["runs"] = new JsonArray(runs),
                ["analysis"] = new JsonObject
                {
                    ["pilot_samples"] = options.PilotSamplesOrDefault, ["pilot_draws"] = options.PilotDrawsOrDefault, ["subsets"] = options.SubsetsOrDefault, ["bootstrap_resamples"] = options.ResamplesOrDefault,
                    ["verifier_threshold"] = N(options.VerifierThresholdOrDefault),
                    ["inference_to_pretraining"] = new JsonArray(options.RatiosOrDefault.Select(r => N(r)).ToArray()),
                },
            },
            ["seeds"] = new JsonObject
            {
                ["analysis"] = options.SeedOrDefault, ["runs"] = new JsonArray(data.Runs.Select(r => (JsonNode)JsonValue.Create(r.Seed)).ToArray()),
            },
            ["command_line"] = commandLine,
        };
    }

    // JSON has no NaN or infinity: an undefined or unbounded figure is written as null.
    private static JsonNode? N(double? value) => value is { } v && double.IsFinite(v) ? JsonValue.Create(v) : null;

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string F(double value, string format) => double.IsNaN(value) ? "–" : double.IsPositiveInfinity(value) ? "∞" : value.ToString(format, CultureInfo.InvariantCulture);

    private static string Samples(double? samples) => samples is { } s ? F(s, s < 100 ? "F1" : "G3") : "never";

    /// <summary>The page under construction.</summary>
    private sealed class Html
    {
        private readonly StringBuilder _text = new();

        public void Line(string line) => _text.Append(line).Append('\n');

        public void Append(string text) => _text.Append(text);

        public void Note(string note) => Line($"<p class=\"note\">{E(note)}</p>");

        public void Chart(ChartFile chart) => Line($"<figure><img src=\"{E(chart.Png)}\" alt=\"{E(chart.Title)}\">" +
            (chart.Svg is { } svg ? $"<figcaption><a href=\"{E(svg)}\">SVG</a></figcaption>" : "") + "</figure>");

        public override string ToString() => _text.ToString();
    }
}
