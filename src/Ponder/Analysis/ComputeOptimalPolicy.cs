// The compute-optimal policy file: for each difficulty bin and budget, the strategy and options to run (DESIGN.md §7).
// Written by the analysis (`ponder report`), applied by the `compute-optimal` strategy (`ponder solve --policy FILE`).
// The format is versioned JSON read and written by hand, so that a malformed file fails with a message naming the file
// and the offending field instead of a serializer's path.

using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ponder.Strategies;

namespace Ponder.Analysis;

/// <summary>What a compute-optimal policy runs for one difficulty bin and budget, and the calibration figures that chose it.</summary>
/// <param name="Bin">Difficulty bin, 1 (easiest) to the policy's bin count.</param>
/// <param name="Budget">The policy budget the entry is for: the most generations the policy spends on a problem, its pilot
/// included (a predicted-difficulty policy's entries fit their budget with the pilot; an oracle policy has no pilot).</param>
/// <param name="RunBudget">The budget in generations the configuration runs at, at most <paramref name="Budget"/>: an easy bin
/// that calibration solves as well with fewer samples spends fewer.</param>
/// <param name="Strategy">The strategy's registered name.</param>
/// <param name="Options">The strategy's options as a JSON object, as <c>StrategyRegistry.Create</c> reads them.</param>
/// <param name="CalibrationAccuracy">Mean accuracy of the configuration on the bin's calibration problems.</param>
/// <param name="CalibrationFlops">Mean FLOPs per problem of the configuration on them.</param>
/// <param name="CalibrationProblems">How many calibration problems the choice rests on.</param>
/// <param name="PooledFallback">True when the bin had no calibration problems and the choice rests on all of them.</param>
public sealed record PolicyEntry(
    int Bin, int Budget, int RunBudget, string Strategy, string Options, double CalibrationAccuracy, double CalibrationFlops, int CalibrationProblems,
    bool PooledFallback);

/// <summary>
/// A compute-optimal policy: difficulty bins fitted on a calibration split and, for each bin and budget, the
/// configuration with the best calibration accuracy. Serialises to and from its JSON file format.
/// </summary>
/// <remarks>Immutable; thread-safe.</remarks>
[JsonConverter(typeof(ComputeOptimalPolicyJsonConverter))]
public sealed record ComputeOptimalPolicy
{
    /// <summary>The file format's name, written as <c>format</c>.</summary>
    public const string FormatName = "ponder-compute-optimal-policy";

    /// <summary>The file format's version, written as <c>version</c>.</summary>
    public const int FormatVersion = 1;

    /// <summary>How problems are binned.</summary>
    public required DifficultyMeasure Difficulty { get; init; }

    /// <summary>The bin boundaries (a solvability statistic, higher is easier).</summary>
    public required DifficultyBins Bins { get; init; }

    /// <summary>
    /// Samples of the pilot whose mean final PRM score predicts the bin (for <see cref="DifficultyMeasure.Predicted"/>).
    /// The pilot's samples, scored, are the first candidates of a sampling configuration (<see cref="ReusesPilot"/>).
    /// </summary>
    public required int PilotSamples { get; init; }

    /// <summary>Sampling temperature of the pilot: the temperature the bins were calibrated at.</summary>
    public required float PilotTemperature { get; init; }

    /// <summary>
    /// The name on the model card of the step scorer whose scores the bins are thresholds on (e.g.
    /// <c>confidence:arith-small</c>), so that applying the policy with another can be refused; null when unknown (files
    /// written before it was recorded, an oracle policy, or a scorer without a card).
    /// </summary>
    public string? Verifier { get; init; }

    /// <summary>One entry per bin and budget.</summary>
    public required IReadOnlyList<PolicyEntry> Entries { get; init; }

    /// <summary>The budgets the policy has entries for, increasing.</summary>
    public IReadOnlyList<int> Budgets => Entries.Select(e => e.Budget).Distinct().Order().ToArray();

    /// <summary>The default pilot size: two scored samples predict the bin, and a sampling configuration keeps them as candidates.</summary>
    public const int DefaultPilotSamples = 2;

    /// <summary>
    /// Whether a configuration of <paramref name="strategy"/> takes the pilot's samples, with their PRM scores, as its first
    /// candidates (majority, best-of-n, weighted-best-of-n: they draw independent samples at the pilot's temperature), so
    /// that the pilot costs it no extra generations; any other strategy runs after the pilot.
    /// </summary>
    public static bool ReusesPilot(string strategy) =>
        strategy is MajorityVoteStrategy.StrategyName or BestOfNStrategy.StrategyName or WeightedBestOfNStrategy.StrategyName;

    /// <summary>
    /// Generations an entry spends with the pilot: max(run budget, pilot) when it reuses the pilot's samples (a run budget
    /// below the pilot still votes over every pilot sample, they are paid for), else pilot + run budget.
    /// </summary>
    public int GenerationsWithPilot(PolicyEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return GenerationsWithPilot(entry.Strategy, entry.RunBudget, PilotSamples);
    }

    /// <summary>Generations <paramref name="strategy"/> at <paramref name="runBudget"/> spends after a pilot of <paramref name="pilotSamples"/>.</summary>
    public static int GenerationsWithPilot(string strategy, int runBudget, int pilotSamples) =>
        ReusesPilot(strategy) ? Math.Max(runBudget, pilotSamples) : pilotSamples + runBudget;

    /// <summary>
    /// The entry for <paramref name="bin"/> at the largest policy budget whose generations with the pilot fit in
    /// <paramref name="generations"/>, or null when none fits. Selection makes every entry fit its own budget; the check
    /// is for files written before budgets counted the pilot, whose entries may not.
    /// </summary>
    public PolicyEntry? Choose(int bin, int generations) =>
        Entries.Where(e => e.Bin == bin && GenerationsWithPilot(e) <= generations).MaxBy(e => e.Budget);

    /// <summary>Throws <see cref="ArgumentException"/> naming the problem unless every bin has an entry at every budget, once.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Difficulty)) throw new ArgumentException($"unknown difficulty measure {Difficulty}");
        ArgumentNullException.ThrowIfNull(Bins);
        ArgumentNullException.ThrowIfNull(Entries);
        if (PilotSamples < 1) throw new ArgumentException($"pilot samples must be ≥ 1, got {PilotSamples}");
        if (!(PilotTemperature >= 0) || !float.IsFinite(PilotTemperature)) throw new ArgumentException($"pilot temperature must be ≥ 0, got {PilotTemperature}");
        if (Entries.Count == 0) throw new ArgumentException("the policy has no entries");
        foreach (var e in Entries)
        {
            if (e.Bin < 1 || e.Bin > Bins.Count) throw new ArgumentException($"entry for bin {e.Bin}: bins are 1 to {Bins.Count}");
            if (e.Budget < 1) throw new ArgumentException($"entry for bin {e.Bin}: budget must be ≥ 1, got {e.Budget}");
            if (e.RunBudget < 1 || e.RunBudget > e.Budget)
                throw new ArgumentException($"entry for bin {e.Bin}, budget {e.Budget}: run budget must be in [1, {e.Budget}], got {e.RunBudget}");
            if (string.IsNullOrEmpty(e.Strategy)) throw new ArgumentException($"entry for bin {e.Bin}, budget {e.Budget}: no strategy");
        }
        foreach (int budget in Budgets)
            for (int bin = 1; bin <= Bins.Count; bin++)
            {
                int count = Entries.Count(e => e.Bin == bin && e.Budget == budget);
                if (count != 1) throw new ArgumentException($"the policy needs exactly one entry for bin {bin} at budget {budget}, has {count}");
            }
    }

    /// <summary>The policy in its JSON file format (indented).</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            ComputeOptimalPolicyJsonConverter.WritePolicy(writer, this);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads a policy from its JSON file format; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The text is not valid JSON, not a policy, of another version, or invalid.</exception>
    public static ComputeOptimalPolicy Parse(string json, string source = "policy")
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            return ComputeOptimalPolicyJsonConverter.ReadPolicy(document.RootElement, source);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Reads the policy file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is malformed (the message names it and the problem).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ComputeOptimalPolicy Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Writes the policy file at <paramref name="path"/>.</summary>
    public void Save(string path) => File.WriteAllText(path, ToJson());
}

/// <summary>
/// Reads and writes <see cref="ComputeOptimalPolicy"/> in its file format, also where a policy is nested in other JSON
/// (the <c>compute-optimal</c> strategy's options).
/// </summary>
public sealed class ComputeOptimalPolicyJsonConverter : JsonConverter<ComputeOptimalPolicy>
{
    /// <inheritdoc />
    public override ComputeOptimalPolicy Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        try { return ReadPolicy(document.RootElement, "policy"); }
        catch (InvalidDataException e) { throw new JsonException(e.Message, e); }
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, ComputeOptimalPolicy value, JsonSerializerOptions options) => WritePolicy(writer, value);

    internal static void WritePolicy(Utf8JsonWriter writer, ComputeOptimalPolicy policy)
    {
        writer.WriteStartObject();
        writer.WriteString("format", ComputeOptimalPolicy.FormatName);
        writer.WriteNumber("version", ComputeOptimalPolicy.FormatVersion);
        writer.WriteString("difficulty", policy.Difficulty == DifficultyMeasure.Oracle ? "oracle" : "predicted");
        writer.WriteNumber("pilot_samples", policy.PilotSamples);
        writer.WriteNumber("pilot_temperature", policy.PilotTemperature);
        if (policy.Verifier is { } verifier) writer.WriteString("verifier", verifier);
        writer.WriteStartArray("thresholds");
        foreach (double t in policy.Bins.Thresholds) writer.WriteNumberValue(t);
        writer.WriteEndArray();
        writer.WriteStartArray("entries");
        foreach (var e in policy.Entries.OrderBy(e => e.Bin).ThenBy(e => e.Budget))
        {
            writer.WriteStartObject();
            writer.WriteNumber("bin", e.Bin);
            writer.WriteNumber("budget", e.Budget);
            writer.WriteNumber("run_budget", e.RunBudget);
            writer.WriteString("strategy", e.Strategy);
            writer.WritePropertyName("options");
            writer.WriteRawValue(e.Options);
            writer.WriteNumber("calibration_accuracy", e.CalibrationAccuracy);
            writer.WriteNumber("calibration_flops", e.CalibrationFlops);
            writer.WriteNumber("calibration_problems", e.CalibrationProblems);
            writer.WriteBoolean("pooled_fallback", e.PooledFallback);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    internal static ComputeOptimalPolicy ReadPolicy(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object) throw Malformed(source, "the policy must be a JSON object");
        string format = String(root, "format", source);
        if (format != ComputeOptimalPolicy.FormatName) throw Malformed(source, $"format is \"{format}\", expected \"{ComputeOptimalPolicy.FormatName}\"");
        int version = Int(root, "version", source);
        if (version != ComputeOptimalPolicy.FormatVersion)
            throw Malformed(source, $"policy format version {version}, this Ponder reads version {ComputeOptimalPolicy.FormatVersion}");
        string difficulty = String(root, "difficulty", source);
        var measure = difficulty switch
        {
            "oracle" => DifficultyMeasure.Oracle,
            "predicted" => DifficultyMeasure.Predicted,
            _ => throw Malformed(source, $"difficulty is \"{difficulty}\", expected \"predicted\" or \"oracle\""),
        };
        var thresholds = Array(root, "thresholds", source).Select((t, i) => t.ValueKind == JsonValueKind.Number
            ? t.GetDouble() : throw Malformed(source, $"threshold {i + 1} is not a number")).ToArray();
        var entries = Array(root, "entries", source).Select((e, i) =>
        {
            string where = $"entry {i + 1}";
            if (e.ValueKind != JsonValueKind.Object) throw Malformed(source, $"{where} is not an object");
            if (!e.TryGetProperty("options", out var options) || options.ValueKind != JsonValueKind.Object)
                throw Malformed(source, $"{where}: \"options\" must be a JSON object");
            int budget = Int(e, "budget", source, where);
            // Files written before run budgets existed ran every entry at its budget.
            int runBudget = e.TryGetProperty("run_budget", out _) ? Int(e, "run_budget", source, where) : budget;
            return new PolicyEntry(Int(e, "bin", source, where), budget, runBudget, String(e, "strategy", source, where),
                options.GetRawText(), Number(e, "calibration_accuracy", source, where), Number(e, "calibration_flops", source, where),
                Int(e, "calibration_problems", source, where),
                e.TryGetProperty("pooled_fallback", out var fallback) && fallback.ValueKind == JsonValueKind.True);
        }).ToArray();
        try
        {
            var policy = new ComputeOptimalPolicy
            {
                Difficulty = measure, Bins = new DifficultyBins(thresholds), PilotSamples = Int(root, "pilot_samples", source),
                PilotTemperature = (float)Number(root, "pilot_temperature", source), Entries = entries,
                Verifier = root.TryGetProperty("verifier", out _) ? String(root, "verifier", source) : null,
            };
            policy.Validate();
            return policy;
        }
        catch (ArgumentException e)
        {
            throw Malformed(source, e.Message);
        }
    }

    private static InvalidDataException Malformed(string source, string message) => new($"{source}: {message}");

    private static JsonElement Property(JsonElement e, string name, string source, string? where)
    {
        if (e.TryGetProperty(name, out var value)) return value;
        throw Malformed(source, (where is null ? "" : where + ": ") + $"missing \"{name}\"");
    }

    private static string String(JsonElement e, string name, string source, string? where = null) =>
        Property(e, name, source, where) is { ValueKind: JsonValueKind.String } value
            ? value.GetString()!
            : throw Malformed(source, (where is null ? "" : where + ": ") + $"\"{name}\" must be a string");

    private static double Number(JsonElement e, string name, string source, string? where = null) =>
        Property(e, name, source, where) is { ValueKind: JsonValueKind.Number } value
            ? value.GetDouble()
            : throw Malformed(source, (where is null ? "" : where + ": ") + $"\"{name}\" must be a number");

    private static int Int(JsonElement e, string name, string source, string? where = null) =>
        Property(e, name, source, where) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt32(out int result)
            ? result
            : throw Malformed(source, (where is null ? "" : where + ": ") + $"\"{name}\" must be an integer");

    private static JsonElement.ArrayEnumerator Array(JsonElement e, string name, string source) =>
        Property(e, name, source, null) is { ValueKind: JsonValueKind.Array } value
            ? value.EnumerateArray()
            : throw Malformed(source, $"\"{name}\" must be an array");
}
