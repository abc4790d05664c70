using System.CommandLine;
using System.Globalization;
using Ponder.Engine.Inference;
using Ponder.Studies;
using Ponder.Studies.Reports;
using Ponder.Studies.Study;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary>
/// <c>ponder study</c>: the end-to-end study on the built-in testbed — sweeps of the small policy on the calibration and
/// test splits and of the large policy on the test split, each into a resumable store, then the report.
/// </summary>
internal static class StudyCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = "Study config (default: studies/default.study.json, or studies/full.study.json with --full)" };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Study folder: stores/ and the report", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("runs", "study")) };
        var full = new Option<bool>("--full") { Description = "Run the larger study (studies/full.study.json)" };
        var resume = new Option<bool>("--resume") { Description = "Continue a study started in the same --out with the same configuration" };
        var small = new Option<string?>("--small-model") { Description = "Override the config's small policy (GGUF file or builtin:NAME)" };
        var large = new Option<string?>("--large-model") { Description = "Override the config's large policy (GGUF file, builtin:NAME, or none)" };
        var prm = new Option<string?>("--prm") { Description = "Override the config's step scorer: a PRM (GGUF file or builtin:NAME), confidence:MODEL, or none" };
        var perLevel = new Option<int?>("--problems-per-level") { Description = "Override the problems per level and split" };
        var budgets = new Option<string?>("--budgets") { Description = "Override the sampling strategies' budgets (comma-separated)" };
        var searchBudgets = new Option<string?>("--search-budgets") { Description = "Override the search strategies' budgets (comma-separated)" };
        var strategies = new Option<string?>("--strategies") { Description = "Override the small policy's strategies (comma-separated)" };
        var largeStrategies = new Option<string?>("--large-strategies") { Description = "Override the large policy's strategies (comma-separated)" };
        var largeBudgets = new Option<string?>("--large-budgets") { Description = "Override the large policy's budgets (comma-separated)" };
        var seed = new Option<ulong?>("--seed") { Description = "Override the seed" };
        var temperature = new Option<float?>("--temperature", "-t") { Description = "Override the sampling temperature" };
        var pilot = new Option<int?>("--pilot") { Description = "Override the predicted-difficulty pilot's samples" };
        var command = new Command("study", "The end-to-end study: sweeps of the small and large policies into resumable stores, then the report (index.html, summary.json)")
        {
            config, output, full, resume, small, large, prm, perLevel, budgets, searchBudgets, strategies, largeStrategies, largeBudgets, seed, temperature, pilot,
        };
        command.SetAction((parse, ct) => CommandRunner.Run(async () =>
        {
            if (parse.GetValue(config) is not null && parse.GetValue(full)) throw new UserError("--full selects studies/full.study.json: give either --config or --full");
            string configPath = parse.GetValue(config)?.FullName ?? StudyFile(parse.GetValue(full) ? "full.study.json" : "default.study.json");
            var study = StudyConfig.Load(configPath);
            study = study with
            {
                SmallModel = parse.GetValue(small) ?? study.SmallModel,
                LargeModel = parse.GetValue(large) ?? study.LargeModel,
                Prm = parse.GetValue(prm) ?? study.Prm,
                ProblemsPerLevel = parse.GetValue(perLevel) ?? study.ProblemsPerLevel,
                Budgets = CommandRunner.Integers(parse.GetValue(budgets), "--budgets") ?? study.Budgets,
                SearchBudgets = CommandRunner.Integers(parse.GetValue(searchBudgets), "--search-budgets") ?? study.SearchBudgets,
                Strategies = parse.GetValue(strategies)?.Split(',').Select(s => s.Trim()).ToArray() ?? study.Strategies,
                LargeStrategies = parse.GetValue(largeStrategies)?.Split(',').Select(s => s.Trim()).ToArray() ?? study.LargeStrategies,
                LargeBudgets = CommandRunner.Integers(parse.GetValue(largeBudgets), "--large-budgets") ?? study.LargeBudgets,
                Seed = parse.GetValue(seed) ?? study.Seed,
                Temperature = parse.GetValue(temperature) ?? study.Temperature,
                PilotSamples = parse.GetValue(pilot) ?? study.PilotSamples,
            };
            // The large policy trains for hours after the small one; until its weights are in models/, a study that did not
            // ask for it by name runs without the FLOPs-matched comparison instead of not at all.
            if (parse.GetValue(large) is null && study.LargeModelOrNull is { } defaultLarge && ModelResolver.IsUntrainedBuiltin(defaultLarge))
            {
                AnsiConsole.MarkupLineInterpolated($"[yellow]{defaultLarge} is not trained yet (ponder train --config models/{defaultLarge["builtin:".Length..]}.train.json): running without the large policy and its FLOPs-matched comparison[/]");
                study = study with { LargeModel = StudyConfig.NoModel };
            }
            study.Validate();
            string folder = parse.GetValue(output)!.FullName;

            var models = new StudyModels(
                ModelResolver.LoadGenerator(study.SmallModelOrDefault),
                study.LargeModelOrNull is { } largeSpec ? ModelResolver.LoadGenerator(largeSpec) : null,
                study.PrmOrNull is { } prmSpec ? ModelResolver.LoadStepScorer(prmSpec) : null);
            AnsiConsole.MarkupLineInterpolated($"study {configPath} → {folder}");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            StudyRunsResult runs = null!;
            await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    var bars = StudyRunner.Plan(study).ToDictionary(p => p.Name, p => ctx.AddTask(p.Name, autoStart: false));
                    runs = await StudyRunner.RunAsync(study, models, folder, parse.GetValue(resume), new SynchronousProgress<StudyProgress>(p =>
                    {
                        var bar = bars[p.Run];
                        if (!bar.IsStarted) bar.StartTask();
                        bar.MaxValue = p.Total;
                        bar.Value = p.Done;
                    }), ct);
                });
            foreach (string note in runs.Notes) AnsiConsole.MarkupLineInterpolated($"[yellow]{note}[/]");
            var (findings, files) = StudyRunner.Report(study, runs.Stores, folder, "ponder " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
                ModelFacts.FromCards(ModelResolver.ModelsDirectory()));
            Summary(findings);
            foreach (string note in findings.Notes) AnsiConsole.MarkupLineInterpolated($"[yellow]note:[/] {note}");
            AnsiConsole.MarkupLineInterpolated($"study done in {clock.Elapsed.TotalMinutes:F1} min; report: {Path.Combine(folder, files.Html)} (summary: {Path.Combine(folder, files.Summary)})");
            return 0;
        }));
        return command;
    }

    // The checked-in study configs are copied beside the program, so the defaults are found wherever it runs.
    private static string StudyFile(string name) => Path.Combine(AppContext.BaseDirectory, "studies", name);

    // The headline figures, then every configuration on the test split against the policies.
    private static void Summary(StudyFindings findings)
    {
        string Multiplier(Ponder.Analysis.EfficiencyComparison? c) => c is null ? "–" : $"{c.MultiplierText}{(c.IntervalText is { } i ? $" (95% interval {i})" : "")}";
        var headline = new Table().Title($"Headline ({findings.HeadlinePolicy?.Name ?? "no policy"})").AddColumns("figure", "value");
        headline.AddRow("efficiency vs weighted best-of-N", Multiplier(findings.EfficiencyVsWeightedBestOfN));
        headline.AddRow("efficiency vs majority", Multiplier(findings.EfficiencyVsMajority));
        if (findings.OraclePolicy is { } oracle && findings.PredictedPolicy is not null)
            headline.AddRow("oracle-difficulty policy (upper bound), best test accuracy", oracle.Test.Max(t => t.Accuracy.Estimate).ToString("F3", CultureInfo.InvariantCulture));
        if (findings.InSampleVsWeightedBestOfN is { } inSample)
            headline.AddRow("selected on test itself (optimistic, not a result) vs weighted best-of-N", Multiplier(inSample));
        AnsiConsole.Write(headline);

        var table = new Table().Title($"{findings.SmallModel} on the {findings.EvaluationSplit} split").AddColumns("configuration", "budget", "accuracy", "95% CI", "FLOPs per problem");
        foreach (var p in findings.Points)
            table.AddRow(Markup.Escape(p.Label), p.Budget.ToString(CultureInfo.InvariantCulture), $"{p.Accuracy.Estimate:F3}", $"{p.Accuracy.Low:F3}–{p.Accuracy.High:F3}", $"{p.Flops:0.00E+00}");
        foreach (var policy in new[] { findings.PredictedPolicy, findings.OraclePolicy }.OfType<PolicyFindings>())
            foreach (var t in policy.Test)
                table.AddRow($"[bold]{Markup.Escape(policy.Name)}[/]", t.Budget.ToString(CultureInfo.InvariantCulture), $"{t.Accuracy.Estimate:F3}",
                    $"{t.Accuracy.Low:F3}–{t.Accuracy.High:F3}", $"{t.Flops:0.00E+00}");
        AnsiConsole.Write(table);
    }
}
