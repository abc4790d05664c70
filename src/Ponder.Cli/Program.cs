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
var parse = root.Parse(args);
// Without a configuration System.CommandLine handles no signal, so Ctrl+C would kill every command outright. With one,
// Ctrl+C cancels the command's token and the process ends when the command returns, or after the timeout. `train`
// finishes its step and writes a checkpoint first, which for a large model takes longer than the 2 s the others get.
var timeout = parse.CommandResult.Command.Name == "train" ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(2);
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = timeout });
