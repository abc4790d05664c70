using System.CommandLine;
using System.Text.Json;
using Ponder.Studies.Store;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder export</c>: a sample store's samples and results as JSON lines, in key order.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var store = new Option<FileInfo>("--store") { Description = "SQLite sample store", Required = true };
        var format = new Option<string>("--format") { Description = "Output format: jsonl", DefaultValueFactory = _ => "jsonl" };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Output file", Required = true };
        var command = new Command("export", "Export a sample store's samples and results, one JSON object per line, in key order")
        {
            store, format, output,
        };
        command.SetAction((parse, ct) => CommandRunner.Run(async () =>
        {
            if (parse.GetValue(format) != "jsonl") throw new UserError($"unknown format \"{parse.GetValue(format)}\"; supported: jsonl");
            var path = parse.GetValue(store)!;
            if (!path.Exists) throw new UserError($"store not found: {path.FullName}");
            using var sampleStore = SampleStore.Open(path.FullName);
            var lines = sampleStore.Samples().Select(s => JsonSerializer.Serialize(new { kind = "sample", sample = s }))
                .Concat(sampleStore.Results().Select(r => JsonSerializer.Serialize(new { kind = "result", result = r })))
                .ToArray();
            var file = parse.GetValue(output)!;
            file.Directory?.Create();
            await File.WriteAllLinesAsync(file.FullName, lines, ct);
            AnsiConsole.MarkupLineInterpolated($"wrote {lines.Length} rows to {file.FullName}");
            return 0;
        }));
        return command;
    }
}
