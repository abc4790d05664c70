using System.CommandLine;
using System.Text.Json;
using Ponder.Compute;
using Ponder.Strategies;
using Ponder.Studies.Arith;
using Ponder.Studies.Store;
using Ponder.Studies.Study;
using Ponder.Studies.Sweeps;
using Ponder.Tasks.Arith;
using Ponder.Tasks.Benchmarks;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder run</c>: strategies × budgets over a task's problems, every result in a resumable SQLite store.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var task = new Option<string>("--task") { Description = TaskResolver.TaskHelp, DefaultValueFactory = _ => ArithTask.Name };
        var data = new Option<FileInfo?>("--data") { Description = TaskResolver.DataHelp };
        var split = new Option<ArithSplit>("--split") { Description = "arith's problem split: Train, Calibration or Test", DefaultValueFactory = _ => ArithSplit.Test };
        var limit = new Option<int?>("--limit") { Description = "Problems in all: arith spreads them evenly over its difficulty levels (default 100); a benchmark takes its file's first N (default all)" };
        var strategies = new Option<string>("--strategies") { Description = "Comma-separated strategy names, or all", DefaultValueFactory = _ => "all" };
        var budgets = new Option<string>("--budgets") { Description = "Comma-separated budgets in generations", DefaultValueFactory = _ => "1,4,16" };
        var store = new Option<FileInfo?>("--store") { Description = "SQLite sample store, created if absent (default: a new runs/run-TIMESTAMP.db)" };
        var resume = new Option<bool>("--resume") { Description = "Continue the run recorded in an existing store" };
        var json = CommandRunner.JsonOutput("Write the per strategy and budget summary as JSON");
        var model = new Option<string>("--model", "-m") { Description = ModelResolver.GeneratorHelp, DefaultValueFactory = _ => "builtin:arith-small" };
        var prm = new Option<string?>("--prm")
        {
            Description = $"{ModelResolver.StepScorerHelp} (default for {ArithTask.Name} with an engine policy: the policy's own confidence, confidence:MODEL; none: run without a verifier)",
        };
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => 1 };
        var temperature = new Option<float>("--temperature", "-t") { Description = "Sampling temperature", DefaultValueFactory = _ => 0.8f };
        var command = new Command("run", "Sweep strategies × budgets over a task's problems into a resumable sample store")
        {
            task, data, split, limit, strategies, budgets, store, resume, json, model, prm, seed, temperature,
        };
        command.SetAction((parse, ct) => CommandRunner.Run(async () =>
        {
            var benchmark = TaskResolver.Parse(parse.GetValue(task)!, parse.GetValue(data));
            if (benchmark is not null && parse.GetResult(split) is { Implicit: false })
                throw new UserError($"--split applies to {ArithTask.Name} only; a benchmark's problems are its --data file");
            if (parse.GetValue(limit) is < 1) throw new UserError($"--limit must be ≥ 1, got {parse.GetValue(limit)}");
            int[] budgetList = CommandRunner.Integers(parse.GetValue(budgets), "--budgets")!;
            string? prmOption = parse.GetValue(prm) is "none" ? null : parse.GetValue(prm);
            bool scorerIfNeeded = ModelResolver.StepScorerOrDefault(parse.GetValue(prm), parse.GetValue(model)!, benchmark is null, needed: true) is not null;
            if (parse.GetValue(resume) && parse.GetValue(store) is null) throw new UserError("--resume needs the --store of the run to continue");

            StudyTask studyTask;
            int total;
            if (benchmark is { } kind)
            {
                TaskResolver.RequireNoPrm(kind, prmOption);
                var loaded = TaskResolver.Load(kind, parse.GetValue(data)!);
                total = Math.Min(parse.GetValue(limit) ?? loaded.Count, loaded.Count);
                studyTask = await TaskResolver.CreateTaskAsync(kind, loaded.Take(total).ToArray(), ct);
            }
            else
            {
                total = parse.GetValue(limit) ?? 100;
                int perLevel = (total + ArithDifficulty.MaxLevel - 1) / ArithDifficulty.MaxLevel;
                var problems = StudyRunner.Problems(parse.GetValue(split), perLevel).Take(total).ToArray();
                studyTask = ArithStrategies.CreateTask(problems);
            }
            string strategySpec = parse.GetValue(strategies)!;
            var names = strategySpec == "all"
                ? SweepOptions.Sweepable(studyTask, scorerIfNeeded).ToArray()
                : strategySpec.Split(',').Select(s => s.Trim()).ToArray();
            bool needsPrm = names.Except(SweepOptions.Sweepable(studyTask, hasStepScorer: false)).Any();
            string? prmSpec = ModelResolver.StepScorerOrDefault(parse.GetValue(prm), parse.GetValue(model)!, benchmark is null, needsPrm);
            var sweepOptions = new SweepOptions(names, budgetList, parse.GetValue(seed), parse.GetValue(temperature));
            try { sweepOptions.Validate(studyTask, prmSpec is not null); }
            catch (ArgumentException e) { throw new UserError(e.Message); }

            var policy = ModelResolver.LoadGenerator(parse.GetValue(model)!);
            var scorer = prmSpec is not null ? ModelResolver.LoadStepScorer(prmSpec) : null;

            string modelName = policy.Card?.Name ?? parse.GetValue(model)!;
            // arith's configuration keeps the shape older stores recorded, so that they still resume.
            string runConfig = benchmark is null
                ? JsonSerializer.Serialize(new
                {
                    task = ArithTask.Name, split = parse.GetValue(split).ToString(), total, strategies = names, budgets = budgetList, seed = parse.GetValue(seed),
                    temperature = parse.GetValue(temperature), model = modelName, prm = scorer?.Card?.Name,
                })
                : JsonSerializer.Serialize(new
                {
                    task = studyTask.Name, data = parse.GetValue(data)!.FullName, total, strategies = names, budgets = budgetList, seed = parse.GetValue(seed),
                    temperature = parse.GetValue(temperature), model = modelName,
                });
            string storePath = parse.GetValue(store)?.FullName
                ?? Path.GetFullPath(Path.Combine("runs", $"run-{DateTime.Now:yyyyMMdd-HHmmss}.db"));
            using var sampleStore = SampleStore.OpenRun(storePath, runConfig, parse.GetValue(resume), "a run", "--store");
            AnsiConsole.MarkupLineInterpolated($"store: {storePath} (an interrupted run continues with --store {storePath} --resume)");
            new RunModelCards(policy.Card, scorer?.Card).Save(sampleStore);
            var sweep = new Sweep(studyTask, studyTask.Context(policy, scorer, HardwareProfile.Cpu2CoreAvx2), sampleStore, sweepOptions);
            await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    var bar = ctx.AddTask($"{names.Length} strategies × {budgetList.Length} budgets × {total} {studyTask.Name} problems", maxValue: total);
                    await sweep.RunAsync(new Progress<int>(i => bar.Value = i), ct);
                });
            if (sweep.Failures > 0) AnsiConsole.MarkupLineInterpolated($"[yellow]{sweep.Failures} results failed and count as wrong; their traces in the store say why[/]");
            foreach (string cell in sweep.Skipped) AnsiConsole.MarkupLineInterpolated($"[yellow]skipped {cell}: not defined at that budget[/]");
            var summary = Sweep.Summarize(sampleStore.Results(), parse.GetValue(seed));
            var table = new Table().AddColumns("strategy", "budget", "accuracy", "95% CI", "tokens", "policy FLOPs", "verifier FLOPs", "idealized s");
            foreach (var s in summary)
                table.AddRow(s.Strategy, s.Budget.ToString(), $"{s.Accuracy:F3}", $"{s.CiLow:F3}–{s.CiHigh:F3}", $"{s.MeanTokens:F0}",
                    $"{s.MeanPolicyFlops:0.00E+00}", $"{s.MeanVerifierFlops:0.00E+00}", $"{s.MeanIdealizedSeconds:G3}");
            AnsiConsole.Write(table);
            if (parse.GetValue(json) is { } file)
            {
                file.Directory?.Create();
                await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(new { results = summary }, new JsonSerializerOptions { WriteIndented = true }), ct);
                AnsiConsole.MarkupLineInterpolated($"wrote {file.FullName}");
            }
            return 0;
        }));
        return command;
    }
}
