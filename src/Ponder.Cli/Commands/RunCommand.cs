using System.CommandLine;
using System.Text.Json;
using Ponder.Compute;
using Ponder.Engine.Inference;
using Ponder.Strategies;
using Ponder.Studies.Arith;
using Ponder.Studies.Store;
using Ponder.Studies.Sweeps;
using Ponder.Tasks.Arith;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder run</c>: strategies × budgets over a task split, every result in a resumable SQLite store.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var task = new Option<string>("--task") { Description = "Task (built in: arith)", DefaultValueFactory = _ => "arith" };
        var split = new Option<ArithSplit>("--split") { Description = "Problem split: Train, Calibration or Test", DefaultValueFactory = _ => ArithSplit.Test };
        var limit = new Option<int>("--limit") { Description = "Problems in all, spread evenly over the difficulty levels", DefaultValueFactory = _ => 100 };
        var strategies = new Option<string>("--strategies") { Description = "Comma-separated strategy names, or all", DefaultValueFactory = _ => "all" };
        var budgets = new Option<string>("--budgets") { Description = "Comma-separated budgets in generations", DefaultValueFactory = _ => "1,4,16" };
        var store = new Option<FileInfo>("--store") { Description = "SQLite sample store (created if absent)", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Continue the run recorded in an existing store" };
        var json = new Option<FileInfo?>("--json") { Description = "Write the per strategy and budget summary as JSON" };
        var model = new Option<string>("--model", "-m") { Description = ModelResolver.GeneratorHelp, DefaultValueFactory = _ => "builtin:arith-small" };
        var prm = new Option<string?>("--prm") { Description = "Process reward model for the verifier-based strategies" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => 1 };
        var temperature = new Option<float>("--temperature", "-t") { Description = "Sampling temperature", DefaultValueFactory = _ => 0.8f };
        var command = new Command("run", "Sweep strategies × budgets over a task split into a resumable sample store")
        {
            task, split, limit, strategies, budgets, store, resume, json, model, prm, seed, temperature,
        };
        command.SetAction((parse, ct) => CommandRunner.Run(async () =>
        {
            if (parse.GetValue(task) != "arith") throw new UserError($"unknown task \"{parse.GetValue(task)}\"; built in: arith");
            int total = parse.GetValue(limit);
            if (total < 1) throw new UserError($"--limit must be ≥ 1, got {total}");
            int[] budgetList;
            try { budgetList = parse.GetValue(budgets)!.Split(',').Select(b => int.Parse(b.Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToArray(); }
            catch (FormatException) { throw new UserError($"--budgets must be comma-separated integers, got \"{parse.GetValue(budgets)}\""); }
            string? prmSpec = parse.GetValue(prm);
            string strategySpec = parse.GetValue(strategies)!;
            var names = strategySpec == "all"
                ? SweepOptions.Sweepable(prmSpec is not null).ToArray()
                : strategySpec.Split(',').Select(s => s.Trim()).ToArray();
            var sweepOptions = new SweepOptions(names, budgetList, parse.GetValue(seed), parse.GetValue(temperature));
            try { sweepOptions.Validate(prmSpec is not null); }
            catch (ArgumentException e) { throw new UserError(e.Message); }

            int perLevel = (total + ArithDifficulty.MaxLevel - 1) / ArithDifficulty.MaxLevel;
            var problems = ArithSplits.Load(parse.GetValue(split), perLevel).GroupBy(p => p.Level)
                .SelectMany(g => g.Select((p, i) => (p, i))).OrderBy(x => x.i).ThenBy(x => x.p.Level).Select(x => x.p).Take(total).ToArray();
            var policy = ModelResolver.LoadGenerator(parse.GetValue(model)!);
            var scorer = prmSpec is not null ? new EngineStepScorer(ModelResolver.Load(prmSpec), PrmFormat.Arith) : null;

            string runConfig = JsonSerializer.Serialize(new
            {
                task = "arith", split = parse.GetValue(split).ToString(), total, strategies = names, budgets = budgetList, seed = parse.GetValue(seed),
                temperature = parse.GetValue(temperature), model = policy.Card?.Name ?? parse.GetValue(model), prm = scorer?.Model.Name,
            });
            using var sampleStore = OpenStore(parse.GetValue(store)!.FullName, runConfig, parse.GetValue(resume));
            new RunModelCards(policy.Card, scorer?.Card).Save(sampleStore);
            var sweep = new Sweep(ArithStrategies.Context(policy, scorer, HardwareProfile.Cpu2CoreAvx2), sampleStore, sweepOptions);
            await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    var bar = ctx.AddTask($"{names.Length} strategies × {budgetList.Length} budgets × {problems.Length} problems", maxValue: problems.Length);
                    await sweep.RunAsync(problems, new Progress<int>(i => bar.Value = i), ct);
                });
            if (sweep.Failures > 0) AnsiConsole.MarkupLineInterpolated($"[yellow]{sweep.Failures} strategy runs failed and count as wrong; their traces in the store say why[/]");
            foreach (string cell in sweep.Skipped) AnsiConsole.MarkupLineInterpolated($"[yellow]skipped {cell}: not defined at that budget[/]");
            var summary = Sweep.Summarize(sampleStore.Results(), parse.GetValue(seed));
            var table = new Table().AddColumns("strategy", "budget", "accuracy", "95% CI", "tokens", "policy FLOPs", "verifier FLOPs", "idealized s");
            foreach (var s in summary)
                table.AddRow(s.Strategy, s.Budget.ToString(), $"{s.Accuracy:F3}", $"{s.CiLow:F3}–{s.CiHigh:F3}", $"{s.MeanTokens:F0}",
                    $"{s.MeanPolicyFlops:E2}", $"{s.MeanVerifierFlops:E2}", $"{s.MeanIdealizedSeconds:G3}");
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

    // A new store records the run's configuration; resuming needs --resume and the same configuration.
    private static SampleStore OpenStore(string path, string runConfig, bool resume)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        SampleStore store;
        try { store = SampleStore.Open(path); }
        catch (InvalidDataException e) { throw new UserError(e.Message); }
        string? recorded = store.GetMeta("run_config");
        if (recorded is null) store.SetMeta("run_config", runConfig);
        else if (!resume)
        {
            store.Dispose();
            throw new UserError($"{path} already holds a run: pass --resume to continue it, or choose another --store");
        }
        else if (recorded != runConfig)
        {
            store.Dispose();
            throw new UserError($"{path} holds a run with another configuration: {recorded}");
        }
        return store;
    }
}
