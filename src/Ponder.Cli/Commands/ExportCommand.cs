using System.CommandLine;
using Ponder.Studies.Store;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder export</c>: a sample store's samples and results as JSON lines or Parquet, in key order.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var store = new Option<FileInfo>("--store") { Description = "SQLite sample store", Required = true };
        var format = new Option<string>("--format")
        {
            Description = "jsonl: one JSON object per line in one file; parquet: samples.parquet and results.parquet in a folder",
            DefaultValueFactory = _ => "jsonl",
        };
        format.AcceptOnlyFromAmong("jsonl", "parquet");
        var output = new Option<string>("--output", "-o") { Description = "Output file (jsonl) or folder (parquet)", Required = true };
        var command = new Command("export", "Export a sample store's samples and results, in key order, for analysis elsewhere")
        {
            store, format, output,
        };
        command.SetAction((parse, ct) => CommandRunner.Run(async () =>
        {
            var exportFormat = parse.GetValue(format) == "parquet" ? ExportFormat.Parquet : ExportFormat.JsonLines;
            var path = parse.GetValue(store)!;
            if (!path.Exists) throw new UserError($"store not found: {path.FullName}");
            using var sampleStore = SampleStore.Open(path.FullName);
            string target = Path.GetFullPath(parse.GetValue(output)!);
            int rows = await StoreExport.WriteAsync(sampleStore, exportFormat, target, ct);
            AnsiConsole.MarkupLineInterpolated($"wrote {rows} rows to {target}");
            return 0;
        }));
        return command;
    }
}
