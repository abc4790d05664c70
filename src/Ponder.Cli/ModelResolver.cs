using Ponder.Engine.Model;

namespace Ponder.Cli;

/// <summary>Turns a --model argument (a GGUF path or builtin:NAME) into a loaded engine model.</summary>
internal static class ModelResolver
{
    private const string BuiltinPrefix = "builtin:";

    /// <summary>Loads <paramref name="spec"/>; throws <see cref="UserError"/> with a hint when it cannot.</summary>
    public static EngineModel Load(string spec)
    {
        string path = spec.StartsWith(BuiltinPrefix, StringComparison.Ordinal) ? BuiltinPath(spec[BuiltinPrefix.Length..]) : spec;
        if (!File.Exists(path)) throw new UserError($"model file not found: {path}");
        try { return EngineModel.Load(path); }
        catch (InvalidDataException e) { throw new UserError(e.Message); }
    }

    /// <summary>
    /// The models/ folder: $PONDER_MODELS, else the nearest models/ above the program (a source checkout), else beside it.
    /// </summary>
    public static string ModelsDirectory()
    {
        if (Environment.GetEnvironmentVariable("PONDER_MODELS") is { Length: > 0 } configured) return configured;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "models");
            if (Directory.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "Ponder.sln"))) return candidate;
        }
        return Path.Combine(AppContext.BaseDirectory, "models");
    }

    private static string BuiltinPath(string name)
    {
        string dir = ModelsDirectory();
        string path = Path.Combine(dir, name + ".gguf");
        if (File.Exists(path)) return path;
        var available = Directory.Exists(dir) ? Directory.GetFiles(dir, "*.gguf").Select(p => "builtin:" + Path.GetFileNameWithoutExtension(p)).ToArray() : [];
        throw new UserError($"no built-in model named {name} in {dir}" + (available.Length > 0 ? $"; available: {string.Join(", ", available)}" : ""));
    }
}

/// <summary>A problem with the user's input: printed as a one-line error, exit code 2, no stack trace.</summary>
internal sealed class UserError(string message) : Exception(message);
