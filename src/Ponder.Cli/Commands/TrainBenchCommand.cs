using System.CommandLine;
using Ponder.Engine.Benchmarks;
using Ponder.Engine.Model;
using Ponder.Studies.Training;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder bench train</c>: training throughput of a config's model on its own data.</summary>
internal static class TrainBenchCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c") { Description = "Training config (JSON), e.g. bench/train-1m.json", Required = true };
        var steps = new Option<int>("--steps") { Description = "Timed optimiser steps (after 2 warm-up steps)", DefaultValueFactory = _ => 20 };
        var json = CommandRunner.JsonOutput("Also write the figures to this JSON file");
        var save = new Option<FileInfo?>("--save") { Description = "Save the model after the timed steps (GGUF), e.g. for `bench engine`" };
        var command = new Command("train", "Training tokens/s and fraction of the measured FMA peak (6·N FLOPs per token plus attention)")
        {
            config, steps, json, save,
        };
        command.SetAction((parse, ct) => CommandRunner.Run(async () =>
        {
            var cfg = TrainingConfig.Load(parse.GetValue(config)!.FullName);
            var tokenizer = ArithPolicyData.CreateTokenizer();
            var model = LlamaModel.CreateRandom(cfg.Model.ToConfig(tokenizer.VocabularySize), cfg.Training.Seed ?? 1);
            int length = cfg.Training.SequenceLength ?? cfg.Model.ContextLength;
            var data = new ArithPolicyData(tokenizer, cfg.Data, length);
            int n = parse.GetValue(steps);
            if (n < 1) throw new UserError($"--steps must be ≥ 1, got {n}");
            TrainingBenchmarkResult r = null!;
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask($"training {cfg.Name} ({model.Layout.Count:N0} parameters)", maxValue: n);
                    r = EngineBenchmark.RunTraining(model, cfg.Training, data, n, new Progress<int>(i => task.Value = i), ct);
                });
            var table = new Table().AddColumns("measure", "value");
            table.AddRow("parameters", $"{r.Parameters:N0}");
            table.AddRow("batch × sequence", $"{r.BatchSize} × {r.SequenceLength}");
            table.AddRow("tokens/s", $"{r.TokensPerSecond:N0}");
            table.AddRow("GFLOP/s", $"{r.Gflops:F1}");
            table.AddRow("FMA peak GFLOP/s (same run)", $"{r.PeakGflops:F1}");
            table.AddRow("fraction of peak", $"{r.TrainFractionOfPeak:P1}");
            table.AddRow("loss first → last", $"{r.FirstLoss:F3} → {r.LastLoss:F3}");
            AnsiConsole.Write(table);
            await BenchCommand.WriteJson(parse.GetValue(json), r);
            if (parse.GetValue(save) is { } file)
            {
                file.Directory?.Create();
                new EngineModel(cfg.Name, model, tokenizer).Save(file.FullName);
                AnsiConsole.MarkupLineInterpolated($"saved {file.FullName}");
            }
            return 0;
        }));
        return command;
    }
}
