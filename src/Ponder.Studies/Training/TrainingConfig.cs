using System.Text.Json;
using System.Text.Json.Serialization;
using Ponder.Engine.Model;
using Ponder.Engine.Training;

namespace Ponder.Studies.Training;

/// <summary>The shape of a model to train; the vocabulary comes from the task's tokenizer.</summary>
public sealed record ModelShape
{
    /// <summary>Longest sequence in tokens.</summary>
    public int ContextLength { get; init; } = 128;
    /// <summary>Residual stream width.</summary>
    public int ModelDim { get; init; } = 128;
    /// <summary>Transformer blocks.</summary>
    public int Layers { get; init; } = 4;
    /// <summary>Query heads.</summary>
    public int Heads { get; init; } = 4;
    /// <summary>Key/value heads; null = <see cref="Heads"/>.</summary>
    public int? KeyValueHeads { get; init; }
    /// <summary>SwiGLU hidden width.</summary>
    public int FeedForwardDim { get; init; } = 384;
    /// <summary>Whether the output projection reuses the token embedding.</summary>
    public bool TiedEmbeddings { get; init; } = true;

    /// <summary>The full configuration for a vocabulary of <paramref name="vocabularySize"/> tokens.</summary>
    public LlamaConfig ToConfig(int vocabularySize) => new()
    {
        VocabularySize = vocabularySize, ContextLength = ContextLength, ModelDim = ModelDim, Layers = Layers, Heads = Heads,
        KeyValueHeads = KeyValueHeads ?? Heads, FeedForwardDim = FeedForwardDim, TiedEmbeddings = TiedEmbeddings,
    };
}

/// <summary>What the model is trained on.</summary>
public sealed record DataOptions
{
    /// <summary>Task name; only "arith" is built in.</summary>
    public string Task { get; init; } = "arith";
    /// <summary>Share of training documents that are revisions (wrong attempts in context, then the corrected solution).</summary>
    public double RevisionShare { get; init; } = 0.25;
    /// <summary>Seed of the data stream.</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>PRM only: the policy whose samples are labelled (GGUF path, relative to the config file).</summary>
    public string? Policy { get; init; }
    /// <summary>PRM only: distinct train problems sampled per level.</summary>
    public int ProblemsPerLevel { get; init; } = 1000;
    /// <summary>PRM only: policy samples per problem.</summary>
    public int SamplesPerProblem { get; init; } = 8;
    /// <summary>PRM only: temperature of the policy samples.</summary>
    public float SampleTemperature { get; init; } = 1f;
    /// <summary>PRM only: per sampled problem, its canonical solution and this many corrupted copies (random error kinds)
    /// join the policy samples. Right and wrong solutions of the same problem make the label depend on the lines, not
    /// on how hard the problem is, which policy samples alone let a small PRM get away with.</summary>
    public int ContrastiveCorruptions { get; init; }
}

/// <summary>
/// A training run as checked in beside the models (<c>models/*.train.json</c>): the model's shape, the optimiser
/// settings and the data. <c>ponder train --config FILE</c> and <c>ponder bench train --config FILE</c> read it.
/// </summary>
public sealed record TrainingConfig
{
    private static readonly JsonSerializerOptions JsonOptions = ConfigJson.Options();

    /// <summary>Model name, also the output file's stem.</summary>
    public string Name { get; init; } = "model";
    /// <summary>"policy" (solutions and revisions); "prm" is trained from policy samples.</summary>
    public string Role { get; init; } = "policy";
    /// <summary>Model shape.</summary>
    public ModelShape Model { get; init; } = new();
    /// <summary>Optimiser and schedule.</summary>
    public TrainingOptions Training { get; init; } = new();
    /// <summary>Data.</summary>
    public DataOptions Data { get; init; } = new();
    /// <summary>Start from this trained model's weights instead of a random initialisation (GGUF path, relative to the
    /// config file; same shape, vocabularies matched by token): how the PRM is made from its policy.</summary>
    public string? InitFrom { get; init; }
    /// <summary>Save a checkpoint every this many steps.</summary>
    public int CheckpointEvery { get; init; } = 500;

    /// <summary>Folder of the file the config was read from (relative paths in it resolve from here).</summary>
    [JsonIgnore] public string SourceDirectory { get; init; } = ".";

    /// <summary>Reads and validates a config file.</summary>
    /// <exception cref="InvalidDataException">The file is unreadable, malformed or invalid; the message names the file.</exception>
    public static TrainingConfig Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: training config not found");
        TrainingConfig config;
        try
        {
            config = JsonSerializer.Deserialize<TrainingConfig>(File.ReadAllText(path), JsonOptions)
                ?? throw new InvalidDataException($"{path}: empty training config");
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: malformed training config: {e.Message}", e); }
        config = config with { SourceDirectory = Path.GetDirectoryName(Path.GetFullPath(path))! };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
        return config;
    }

    /// <summary>The config as JSON (stored in the model file and the checkpoint log).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending value.</summary>
    public void Validate()
    {
        // JSON null overrides the defaults of these sections.
        if (Model is null) throw new ArgumentException("model must be an object, got null");
        if (Training is null) throw new ArgumentException("training must be an object, got null");
        if (Data is null) throw new ArgumentException("data must be an object, got null");
        if (string.IsNullOrWhiteSpace(Name) || Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw new ArgumentException($"name must be a valid file name, got \"{Name}\"");
        if (Role is not ("policy" or "prm")) throw new ArgumentException($"role must be \"policy\" or \"prm\", got \"{Role}\"");
        if (Data.Task != "arith") throw new ArgumentException($"unknown task \"{Data.Task}\"; built in: arith");
        if (Data.RevisionShare is < 0 or > 1) throw new ArgumentException($"revision share must be in [0, 1], got {Data.RevisionShare}");
        if (CheckpointEvery < 1) throw new ArgumentException($"checkpoint interval must be ≥ 1, got {CheckpointEvery}");
        if (Role == "prm")
        {
            if (string.IsNullOrWhiteSpace(Data.Policy)) throw new ArgumentException("a PRM config needs data.policy: the policy model whose samples are labelled");
            if (Data.ProblemsPerLevel < 1) throw new ArgumentException($"data.problemsPerLevel must be ≥ 1, got {Data.ProblemsPerLevel}");
            if (Data.SamplesPerProblem < 1) throw new ArgumentException($"data.samplesPerProblem must be ≥ 1, got {Data.SamplesPerProblem}");
            if (Data.ContrastiveCorruptions < 0) throw new ArgumentException($"data.contrastiveCorruptions must be ≥ 0, got {Data.ContrastiveCorruptions}");
            if (!(Data.SampleTemperature >= 0)) throw new ArgumentException($"data.sampleTemperature must be ≥ 0, got {Data.SampleTemperature}");
        }
        // The layout checks that the parameters fit the engine's buffers as well as the shape.
        _ = new ParameterLayout(Model.ToConfig(64));
        Training.Validate();
        if (Training.SequenceLength > Model.ContextLength)
            throw new ArgumentException($"sequence length {Training.SequenceLength} exceeds the context length {Model.ContextLength}");
    }
}
