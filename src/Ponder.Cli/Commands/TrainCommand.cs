using System.CommandLine;
using Ponder.Studies.Training;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder train</c>: train a built-in model from its checked-in config, resumably.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c") { Description = "Training config, e.g. models/arith-small.train.json", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Continue the run from its last checkpoint" };
        var runs = new Option<DirectoryInfo?>("--run-dir") { Description = "Folder for checkpoints and the log (default: runs/NAME)" };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Where to write the trained model (default: NAME.gguf beside the config)" };
        var snapshot = new Option<bool>("--snapshot") { Description = "Write the model of the run's last checkpoint to --output and exit (to evaluate a run in progress)" };
        var command = new Command("train", "Train a model with the engine's trainer: progress bar, CSV log, checkpoints, --resume")
        {
            config, resume, runs, output, snapshot,
        };
        command.SetAction((parse, ct) => CommandRunner.Run(async () =>
        {
            var configFile = parse.GetValue(config)!;
            var cfg = TrainingConfig.Load(configFile.FullName);
            string runDir = parse.GetValue(runs)?.FullName ?? Path.Combine("runs", cfg.Name);
            string modelPath = parse.GetValue(output)?.FullName ?? Path.Combine(configFile.DirectoryName!, cfg.Name + ".gguf");
            // Refused now rather than when the run has trained to the end.
            if (Directory.Exists(modelPath)) throw new UserError($"--output {modelPath} is a directory");
            TrainingRun run;
            bool snapshotOnly = parse.GetValue(snapshot);
            if (snapshotOnly && !File.Exists(Path.Combine(runDir, "checkpoint.ckpt"))) throw new UserError($"no checkpoint in {runDir} to snapshot");
            if (snapshotOnly)
            {
                var snap = TrainingRun.OpenSnapshot(cfg, runDir).Save(modelPath);
                AnsiConsole.MarkupLineInterpolated($"wrote {modelPath}: step {snap.Steps}, {snap.TrainingTokens:N0} tokens");
                return 0;
            }
            TrainingData data = null!;
            await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async ctx =>
                {
                    var bar = ctx.AddTask($"{cfg.Name}: preparing data", maxValue: 1);
                    data = await TrainingRun.PrepareDataAsync(cfg, runDir, new Progress<(int Done, int Total)>(p =>
                    {
                        bar.Description = $"{cfg.Name}: sampling the policy for PRM labels";
                        bar.MaxValue = p.Total;
                        bar.Value = p.Done;
                    }), ct);
                    bar.Value = bar.MaxValue;
                });
            try { run = TrainingRun.Open(cfg, runDir, parse.GetValue(resume), data); }
            catch (InvalidOperationException e) { throw new UserError(e.Message); }
            var trainer = run.Trainer;
            string resuming = trainer.Step > 0 ? $", resuming at step {trainer.Step}" : "";
            AnsiConsole.MarkupLineInterpolated($"{cfg.Name}: {trainer.Model.Layout.Count:N0} parameters, {trainer.TotalSteps} steps, run folder {runDir}{resuming}");
            bool cancelled = false;
            AnsiConsole.Progress().AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(cfg.Name, maxValue: trainer.TotalSteps);
                    task.Value = trainer.Step;
                    while (!trainer.IsComplete)
                    {
                        if (ct.IsCancellationRequested) { run.Checkpoint(); cancelled = true; return; }
                        var step = run.Step();
                        task.Value = step.Step;
                        task.Description = $"{cfg.Name} loss {run.RecentLoss:F4}";
                    }
                });
            if (cancelled)
            {
                AnsiConsole.MarkupLineInterpolated($"[yellow]stopped at step {trainer.Step}; checkpoint saved — rerun with --resume to continue[/]");
                return 130;
            }
            var card = run.Save(modelPath);
            AnsiConsole.MarkupLineInterpolated($"wrote {modelPath} (final loss {card.FinalLoss:F4}, {card.TrainingTokens:N0} tokens, {card.TrainingFlops:0.00E+00} FLOPs, {card.WallSeconds / 60:F1} min)");
            return 0;
        }));
        return command;
    }
}
