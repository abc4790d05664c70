using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary>Runs a command body, turning expected failures into one clear line and an exit code.</summary>
internal static class CommandRunner
{
    public static async Task<int> Run(Func<Task<int>> body)
    {
        try { return await body(); }
        catch (Exception e) when (e is UserError or ArgumentException or InvalidDataException or FileNotFoundException or OpenAI.UpstreamException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLine("[yellow]cancelled[/]");
            return 130;
        }
    }
}
