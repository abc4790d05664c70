using System.CommandLine;
using Ponder.Studies.Reports;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder report</c>: the analysis of one or more sample stores as a static HTML report, summary.json and policy files.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var stores = new Option<FileInfo[]>("--store")
        {
            Description = "Sample store of a run (repeat for the calibration and test splits, or small and large models)",
            Required = true, AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Report folder (created if absent)", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the subset draws and bootstrap resamples", DefaultValueFactory = _ => 1 };
        var pilot = new Option<int>("--pilot")
        {
            Description = "Pilot samples whose mean PRM score predicts difficulty (charged to the policy, reused by its sampling configurations)",
            DefaultValueFactory = _ => Ponder.Analysis.ComputeOptimalPolicy.DefaultPilotSamples,
        };
        var small = new Option<string?>("--small-model") { Description = "The small policy (default: the model with a calibration run)" };
        var large = new Option<string?>("--large-model") { Description = "The large policy for the FLOPs-matched comparison (default: the other model)" };
        var command = new Command("report", "Analyse sample stores into a report folder: index.html with charts, summary.json and compute-optimal policy files")
        {
            stores, output, seed, pilot, small, large,
        };
        command.SetAction((parse, ct) => CommandRunner.Run(() =>
        {
            var paths = parse.GetValue(stores)!.Select(f => f.FullName).ToArray();
            var missing = paths.FirstOrDefault(p => !File.Exists(p));
            if (missing is not null) throw new UserError($"store not found: {missing}");
            var data = StudyData.Load(paths, ModelFacts.FromCards(ModelResolver.ModelsDirectory()));
            var options = new StudyAnalysisOptions
            {
                Seed = parse.GetValue(seed), PilotSamples = parse.GetValue(pilot), SmallModel = parse.GetValue(small), LargeModel = parse.GetValue(large),
            };
            var findings = StudyAnalysis.Run(data, options);
            string folder = parse.GetValue(output)!.FullName;
            var files = StudyReport.Write(data, findings, options, folder, "ponder " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)));
            foreach (string note in findings.Notes) AnsiConsole.MarkupLineInterpolated($"[yellow]note:[/] {note}");
            AnsiConsole.MarkupLineInterpolated($"wrote {Path.Combine(folder, files.Html)}, {files.Summary}, {files.Charts.Count} charts, {files.Policies.Count} policy files");
            return Task.FromResult(0);
        }));
        return command;
    }
}
