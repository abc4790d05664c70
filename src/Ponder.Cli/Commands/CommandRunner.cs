using System.CommandLine;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary>Runs a command body, turning expected failures into one clear line and an exit code.</summary>
internal static class CommandRunner
{
    /// <summary>A comma-separated list of integers given to <paramref name="option"/> (null when not given), or a
    /// <see cref="UserError"/> saying what is wrong.</summary>
    public static int[]? Integers(string? list, string option)
    {
        if (list is null) return null;
        try { return list.Split(',').Select(b => int.Parse(b.Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToArray(); }
        catch (FormatException) { throw new UserError($"{option} must be comma-separated integers, got \"{list}\""); }
    }

    /// <summary>
    /// A <c>--json</c> output file option. The path is checked when the command line is parsed, so that a directory is
    /// refused before the work whose figures it would hold, not after; a missing folder is created when the file is written.
    /// </summary>
    public static Option<FileInfo?> JsonOutput(string description)
    {
        var option = new Option<FileInfo?>("--json") { Description = description };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<FileInfo?>() is not { } file) return;
            if (Directory.Exists(file.FullName)) result.AddError($"--json: {file.FullName} is a directory");
        });
        return option;
    }

    public static async Task<int> Run(Func<Task<int>> body)
    {
        // System.CommandLine installs its Ctrl+C handler only once the action has returned its task; a body that works
        // synchronously before its first await (the training loop) would run to the end with Ctrl+C unhandled.
        await Task.Yield();
        try { return await body(); }
        // IOException covers a path the user gave that is a directory, an existing file or unwritable (--json, --out,
        // --output): the system's message names the path.
        catch (Exception e) when (e is UserError or ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException or OpenAI.UpstreamException)
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
