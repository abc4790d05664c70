using System.CommandLine;
using System.Text.Json;
using Ponder.Engine.Benchmarks;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder bench</c>: throughput figures as fractions of the FMA peak measured in the same run.</summary>
internal static class BenchCommand
{
    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create() => new("bench", "Measure engine throughput against the machine's measured FMA peak, and the server's proxy overhead")
    {
        Engine(),
        TrainBenchCommand.Create(),
        ServeCommand.Benchmark(),
    };

    private static Command Engine()
    {
        var model = new Option<string>("--model", "-m") { Description = "GGUF model file or builtin:NAME", Required = true };
        var json = CommandRunner.JsonOutput("Also write the figures to this JSON file");
        var prompt = new Option<int>("--prompt-tokens") { Description = "Prompt length", DefaultValueFactory = _ => 64 };
        var continuations = new Option<int>("--continuations") { Description = "Continuations of the one prompt in the batched run", DefaultValueFactory = _ => 64 };
        var tokens = new Option<int>("--new-tokens") { Description = "Tokens generated per continuation", DefaultValueFactory = _ => 64 };
        var command = new Command("engine", "Prefill, single-sequence decode and batched shared-prefix decode throughput")
        {
            model, json, prompt, continuations, tokens,
        };
        command.SetAction((parse, ct) => CommandRunner.Run(async () =>
        {
            var engineModel = ModelResolver.Load(parse.GetValue(model)!);
            InferenceBenchmarkResult r = null!;
            await AnsiConsole.Status().StartAsync("benchmarking", async ctx =>
            {
                var progress = new Progress<string>(s => ctx.Status(s));
                r = await EngineBenchmark.RunInference(engineModel, parse.GetValue(prompt), parse.GetValue(continuations), parse.GetValue(tokens), progress, ct);
            });
            var table = new Table().AddColumns("measure", "tokens/s", "fraction of peak");
            table.AddRow($"prefill ({r.PromptTokens} tokens)", $"{r.PrefillTokensPerSecond:N0}", $"{r.PrefillFractionOfPeak:P1}");
            table.AddRow("decode, one sequence", $"{r.DecodeTokensPerSecond:N0}", $"{r.DecodeFractionOfPeak:P1}");
            table.AddRow($"decode, {r.Continuations} continuations of one prompt", $"{r.BatchedDecodeTokensPerSecond:N0}", $"{r.BatchedDecodeFractionOfPeak:P1}");
            table.AddRow($"generator end to end, {r.Continuations} continuations ({r.GeneratorTokensPerCall} tokens per call)", $"{r.GeneratorTokensPerSecond:N0}", "");
            AnsiConsole.MarkupLineInterpolated($"model {r.Model}: {r.Parameters:N0} parameters; FMA peak {r.PeakGflops:F1} GFLOP/s on {Environment.ProcessorCount} cores ({r.PeakGflopsOneCore:F1} on one)");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"the shared prompt was prefilled {r.SharedPrefixPrefills} time(s) per call of {r.Continuations} continuations");
            await WriteJson(parse.GetValue(json), r);
            return 0;
        }));
        return command;
    }

    internal static async Task WriteJson<T>(FileInfo? file, T result)
    {
        if (file is null) return;
        file.Directory?.Create();
        await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(result, Json));
        AnsiConsole.MarkupLineInterpolated($"wrote {file.FullName}");
    }
}
