using System.CommandLine;
using System.Text.Json;
using Ponder.Engine.Inference;
using Ponder.Studies.Evaluation;
using Ponder.Tasks.Arith;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder eval</c>: pass@1 and coverage@K of a policy per difficulty level, graded by the exact checker.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "GGUF model file or builtin:NAME", Required = true };
        var task = new Option<string>("--task") { Description = "Task (built in: arith)", DefaultValueFactory = _ => "arith" };
        var split = new Option<ArithSplit>("--split") { Description = "Problem split: Train, Calibration or Test", DefaultValueFactory = _ => ArithSplit.Test };
        var samples = new Option<int>("--samples", "-k") { Description = "Samples per problem (K of coverage@K)", DefaultValueFactory = _ => 16 };
        var temperature = new Option<float>("--temperature", "-t") { Description = "Sampling temperature", DefaultValueFactory = _ => 0.8f };
        var perLevel = new Option<int>("--per-level") { Description = "Problems per difficulty level", DefaultValueFactory = _ => ArithSplits.DefaultPerLevel };
        var seed = new Option<ulong>("--seed") { Description = "Sampling seed", DefaultValueFactory = _ => 1 };
        var json = CommandRunner.JsonOutput("Also write the figures to this JSON file");
        var prm = new Option<string?>("--prm") { Description = "Also score every sample with this step scorer (PRM file, builtin:NAME or confidence:MODEL): step and outcome AUROC" };
        var command = new Command("eval", "Evaluate a policy: per-level pass@1 (unbiased) and coverage@K on a task split")
        {
            model, task, split, samples, temperature, perLevel, seed, json, prm,
        };
        command.SetAction((parse, ct) => CommandRunner.Run(async () =>
        {
            if (parse.GetValue(task) != "arith") throw new UserError($"unknown task \"{parse.GetValue(task)}\"; built in: arith");
            int k = parse.GetValue(samples), n = parse.GetValue(perLevel);
            if (k < 1) throw new UserError($"--samples must be ≥ 1, got {k}");
            if (n < 1) throw new UserError($"--per-level must be ≥ 1, got {n}");
            var engineModel = ModelResolver.Load(parse.GetValue(model)!);
            IReadOnlyList<ArithProblem> problems;
            try { problems = ArithSplits.Load(parse.GetValue(split), n); }
            catch (InvalidOperationException e) { throw new UserError($"--per-level {n}: {e.Message}"); }
            float t = parse.GetValue(temperature);
            var prmScorer = parse.GetValue(prm) is { } prmSpec ? ModelResolver.LoadStepScorer(prmSpec) : null;
            IReadOnlyList<GradedSamples> graded = [];
            PrmEvaluation? prmReport = null;
            await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    var bar = ctx.AddTask($"{k} samples × {problems.Count} problems", maxValue: problems.Count);
                    graded = await ArithEvaluation.SampleAsync(new EngineGenerator(engineModel), problems, k, t, parse.GetValue(seed),
                        new Progress<int>(i => bar.Value = i), ct);
                    if (prmScorer is null) return;
                    var prmBar = ctx.AddTask($"{prmScorer.Card?.Name} scoring every step", maxValue: problems.Count);
                    prmReport = await ArithEvaluation.EvaluatePrmAsync(prmScorer, graded, new Progress<int>(i => prmBar.Value = i), ct);
                });
            var report = new EvaluationReport(engineModel.Name, "arith", parse.GetValue(split).ToString().ToLowerInvariant(), t, parse.GetValue(seed), ArithEvaluation.Summarize(graded), prmReport);
            var table = new Table().AddColumns("level", "problems", "pass@1", $"coverage@{k}");
            foreach (var level in report.Levels)
                table.AddRow(level.Level.ToString(), level.Problems.ToString(), $"{level.PassAt1:F3}", $"{level.CoverageAtK:F3}");
            AnsiConsole.Write(table);
            if (prmReport is not null)
                AnsiConsole.MarkupLineInterpolated($"PRM {prmReport.Model}: step AUROC {prmReport.StepAuroc:F3} over {prmReport.Steps} steps, outcome AUROC {prmReport.OutcomeAuroc:F3} over {prmReport.Solutions} solutions");
            if (parse.GetValue(json) is { } file)
            {
                file.Directory?.Create();
                await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }), ct);
                AnsiConsole.MarkupLineInterpolated($"wrote {file.FullName}");
            }
            return 0;
        }));
        return command;
    }
}
