using Ponder.Engine.Inference;
using Ponder.Engine.Model;
using Ponder.Generation;
using Ponder.OpenAI;
using Ponder.Scoring;

namespace Ponder.Cli;

/// <summary>
/// Turns a --model argument into a model: a GGUF path or builtin:NAME (the embedded engine), or for the commands that
/// take any generator, a model on OpenAI-compatible servers, <c>[chat+]http://HOST:PORT/v1[,…]#MODEL</c>.
/// </summary>
internal static class ModelResolver
{
    private const string BuiltinPrefix = "builtin:";

    /// <summary>The text of --prm help.</summary>
    public const string StepScorerHelp =
        "Step scorer for the verifier-based strategies: a PRM (GGUF file or builtin:NAME), or confidence:MODEL to score " +
        "steps by MODEL's own token probabilities (no training; confidence:builtin:arith-small is the small policy judging itself)";

    /// <summary>
    /// A step scorer for <paramref name="spec"/>: confidence:MODEL scores by <see cref="EngineConfidenceScorer"/>, anything
    /// else loads a PRM in the arith format.
    /// </summary>
    /// <summary>
    /// The step scorer a command uses: <paramref name="given"/> as --prm gave it (<c>none</c>: no scorer), else, when
    /// <paramref name="needed"/> and the task is arith, an engine policy judging itself (<c>confidence:MODEL</c>: measured,
    /// its confidence is a better verifier than the trained PRM); a model on a server has no confidence to read.
    /// </summary>
    public static string? StepScorerOrDefault(string? given, string model, bool arith, bool needed) => given switch
    {
        "none" => null,
        { } spec => spec,
        null when needed && arith && !OpenAIModelOptions.IsModelReference(model) => EngineConfidenceScorer.NamePrefix + model,
        null => null,
    };

    public static IStepScorer LoadStepScorer(string spec)
    {
        if (spec.StartsWith(EngineConfidenceScorer.NamePrefix, StringComparison.Ordinal)) return new EngineConfidenceScorer(Load(spec[EngineConfidenceScorer.NamePrefix.Length..]));
        try { return new EngineStepScorer(Load(spec), PrmFormat.Arith); }
        catch (ArgumentException e) { throw new UserError(e.Message); }
    }

    /// <summary>The text of --model help for commands that take <see cref="LoadGenerator"/>'s forms.</summary>
    public const string GeneratorHelp =
        "Policy: GGUF file, builtin:NAME, or a model on an OpenAI-compatible server, http://HOST:PORT/v1#MODEL " +
        "(comma-separated base URLs load-balance; chat+http://… uses /v1/chat/completions, whole-solution strategies only; " +
        "the key comes from $OPENAI_API_KEY)";

    /// <summary>
    /// A generator for <paramref name="spec"/>: an <see cref="OpenAITextGenerator"/> for a model reference (API key from
    /// $OPENAI_API_KEY), else an <see cref="EngineGenerator"/> over <see cref="Load"/>.
    /// </summary>
    public static ITextGenerator LoadGenerator(string spec)
    {
        if (!OpenAIModelOptions.IsModelReference(spec)) return new EngineGenerator(Load(spec));
        try { return new OpenAITextGenerator(OpenAIModelOptions.Parse(spec) with { ApiKey = Environment.GetEnvironmentVariable("OPENAI_API_KEY") }); }
        catch (ArgumentException e) { throw new UserError(e.Message); }
    }

    /// <summary>
    /// The name a model is served under: NAME for builtin:NAME, the file name without extension for a GGUF path, and
    /// confidence:NAME for a confidence scorer over either.
    /// </summary>
    public static string ServedName(string spec) =>
        spec.StartsWith(EngineConfidenceScorer.NamePrefix, StringComparison.Ordinal) ? EngineConfidenceScorer.NamePrefix + ServedName(spec[EngineConfidenceScorer.NamePrefix.Length..])
        : spec.StartsWith(BuiltinPrefix, StringComparison.Ordinal) ? spec[BuiltinPrefix.Length..]
        : Path.GetFileNameWithoutExtension(spec);

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

    /// <summary>Whether <paramref name="spec"/> names a built-in model whose training config is checked in but whose weights
    /// are not there yet (a model still training).</summary>
    public static bool IsUntrainedBuiltin(string spec)
    {
        if (!spec.StartsWith(BuiltinPrefix, StringComparison.Ordinal)) return false;
        string name = spec[BuiltinPrefix.Length..], dir = ModelsDirectory();
        return !File.Exists(Path.Combine(dir, name + ".gguf")) && File.Exists(Path.Combine(dir, name + ".train.json"));
    }

    private static string BuiltinPath(string name)
    {
        string dir = ModelsDirectory();
        string path = Path.Combine(dir, name + ".gguf");
        if (File.Exists(path)) return path;
        // A built-in model not trained yet has its training config beside where it belongs: say how to make it.
        string config = Path.Combine(dir, name + ".train.json");
        if (File.Exists(config))
            throw new UserError($"builtin:{name} not found in {Path.GetFileName(dir)}/; train it with ponder train --config {Path.GetFileName(dir)}/{name}.train.json");
        var available = Directory.Exists(dir) ? Directory.GetFiles(dir, "*.gguf").Select(p => "builtin:" + Path.GetFileNameWithoutExtension(p)).ToArray() : [];
        throw new UserError($"no built-in model named {name} in {dir}" + (available.Length > 0 ? $"; available: {string.Join(", ", available)}" : ""));
    }
}

/// <summary>A problem with the user's input: printed as a one-line error, exit code 2, no stack trace.</summary>
internal sealed class UserError(string message) : Exception(message);
