using System.CommandLine;
using Ponder.Cli.Commands;

var root = new RootCommand("Ponder: spend a language model's inference compute wisely, and measure what it buys.")
{
    GenerateCommand.Create(),
    BenchCommand.Create(),
    TrainCommand.Create(),
    EvalCommand.Create(),
    SolveCommand.Create(),
    RunCommand.Create(),
    StudyCommand.Create(),
    ReportCommand.Create(),
    ExportCommand.Create(),
    GradeCommand.Create(),
    ServeCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
