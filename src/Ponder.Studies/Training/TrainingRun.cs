// A resumable training run of a built-in model: checkpoints and a CSV log in a run folder (kept out of git), the
// finished model as GGUF with a model card beside it. Killed at any moment, it resumes from its last checkpoint and
// continues exactly as an uninterrupted run would (the trainer and the data are deterministic per step).

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ponder.Engine.Gguf;
using Ponder.Engine.Model;
using Ponder.Engine.Tokenization;
using Ponder.Engine.Training;

namespace Ponder.Studies.Training;

/// <summary>A run's tokenizer and batches.</summary>
public sealed record TrainingData(CharTokenizer Tokenizer, ITrainingData Batches);

// A snapshot trains nothing, so it needs no batches.
file sealed class NoData : ITrainingData
{
    public static NoData Instance { get; } = new();
    public void FillBatch(long step, int[] inputs, int[] targets, float[] mask) =>
        throw new InvalidOperationException("a snapshot does not train");
}

/// <summary>Drives a <see cref="Trainer"/> for a <see cref="TrainingConfig"/>. Not thread-safe.</summary>
public sealed class TrainingRun
{
    private readonly string _checkpointPath, _logPath;
    private readonly Stopwatch _clock = new();
    private readonly double _previousSeconds;

    private TrainingRun(TrainingConfig config, string runDirectory, Trainer trainer, CharTokenizer tokenizer, double previousSeconds)
    {
        Config = config;
        RunDirectory = runDirectory;
        Trainer = trainer;
        Tokenizer = tokenizer;
        _checkpointPath = Path.Combine(runDirectory, "checkpoint.ckpt");
        _logPath = Path.Combine(runDirectory, "train.log.csv");
        _previousSeconds = previousSeconds;
    }

    /// <summary>The config.</summary>
    public TrainingConfig Config { get; }
    /// <summary>Folder of the checkpoint and the log.</summary>
    public string RunDirectory { get; }
    /// <summary>The trainer (its model is the one being trained).</summary>
    public Trainer Trainer { get; }
    /// <summary>The tokenizer stored with the model.</summary>
    public CharTokenizer Tokenizer { get; }
    /// <summary>Training wall time over all sessions of this run, in seconds.</summary>
    public double ElapsedSeconds => _previousSeconds + _clock.Elapsed.TotalSeconds;
    private const int RecentSteps = 50;

    /// <summary>Training loss averaged over the last 50 steps.</summary>
    public float RecentLoss => _recent.Count == 0 ? float.NaN : _recent.Average();
    private readonly Queue<float> _recent = new();

    /// <summary>
    /// Starts a run in <paramref name="runDirectory"/>, or resumes it from its checkpoint when <paramref name="resume"/>
    /// is set and one exists. Starting fresh over an existing checkpoint is refused, so no work is lost by accident.
    /// </summary>
    public static TrainingRun Open(TrainingConfig config, string runDirectory, bool resume, TrainingData data) =>
        Open(config, runDirectory, resume, snapshot: false, data);

    /// <summary>
    /// The run's last checkpoint, read-only: for writing the model of a run that is still training elsewhere
    /// (its log is left untouched).
    /// </summary>
    public static TrainingRun OpenSnapshot(TrainingConfig config, string runDirectory) =>
        Open(config, runDirectory, resume: true, snapshot: true,
            new TrainingData(config.Role == "prm" ? ArithPrmData.CreateTokenizer() : ArithPolicyData.CreateTokenizer(), NoData.Instance));

    /// <summary>
    /// The tokenizer and batches of <paramref name="config"/>: for a policy, generated problems; for a PRM, samples of
    /// its policy labelled by the exact checker (drawn once and kept in the run folder, so a resumed run reuses them).
    /// </summary>
    public static async Task<TrainingData> PrepareDataAsync(TrainingConfig config, string runDirectory,
        IProgress<(int Done, int Total)>? samplingProgress = null, CancellationToken cancellationToken = default)
    {
        int length = config.Training.SequenceLength ?? config.Model.ContextLength;
        if (config.Role == "policy")
        {
            var tokenizer = ArithPolicyData.CreateTokenizer();
            return new TrainingData(tokenizer, new ArithPolicyData(tokenizer, config.Data, length));
        }
        Directory.CreateDirectory(runDirectory);
        string policyPath = Path.Combine(config.SourceDirectory, config.Data.Policy!);
        var policy = EngineModel.Load(policyPath);
        var samples = await ArithPrmData.LoadOrDrawSamplesAsync(Path.Combine(runDirectory, "policy-samples.jsonl"), policy, config.Data,
            samplingProgress, cancellationToken);
        var prmTokenizer = ArithPrmData.CreateTokenizer();
        return new TrainingData(prmTokenizer, new ArithPrmData(prmTokenizer, ArithPrmData.WithContrast(samples, config.Data.ContrastiveCorruptions, config.Data.Seed), length, config.Data.Seed));
    }

    private static TrainingRun Open(TrainingConfig config, string runDirectory, bool resume, bool snapshot, TrainingData training)
    {
        Directory.CreateDirectory(runDirectory);
        var (tokenizer, data) = training;
        string checkpoint = Path.Combine(runDirectory, "checkpoint.ckpt");
        string log = Path.Combine(runDirectory, "train.log.csv");
        if (File.Exists(checkpoint))
        {
            if (!resume) throw new InvalidOperationException($"{checkpoint} exists: pass --resume to continue that run, or delete the folder to start over");
            var trainer = Trainer.Resume(checkpoint, data);
            if (trainer.Model.Config != config.Model.ToConfig(tokenizer.VocabularySize) || trainer.Options != config.Training)
                throw new InvalidDataException($"{checkpoint}: the checkpoint was made with a different model or training config than {config.Name}'s");
            var recent = new Queue<float>();
            double seconds = ReadLog(log, trainer.Step, rewrite: !snapshot, recent);
            var run = new TrainingRun(config, runDirectory, trainer, tokenizer, seconds);
            foreach (float loss in recent) run._recent.Enqueue(loss);
            return run;
        }
        var model = LlamaModel.CreateRandom(config.Model.ToConfig(tokenizer.VocabularySize), config.Training.Seed ?? 1);
        if (config.InitFrom is { } initFrom)
        {
            var source = EngineModel.Load(Path.Combine(config.SourceDirectory, initFrom));
            try { WarmStart.CopyInto(source.Model, source.Tokenizer, model, tokenizer); }
            catch (ArgumentException e) { throw new InvalidDataException($"{config.Name}: initFrom {initFrom}: {e.Message}", e); }
        }
        File.WriteAllText(log, LogHeader);
        return new TrainingRun(config, runDirectory, new Trainer(model, config.Training, data), tokenizer, 0);
    }

    /// <summary>Runs one step, logs it, and checkpoints on schedule and at the end.</summary>
    public TrainingStep Step()
    {
        _clock.Start();
        var step = Trainer.TrainStep();
        _clock.Stop();
        _recent.Enqueue(step.Loss);
        if (_recent.Count > RecentSteps) _recent.Dequeue();
        File.AppendAllText(_logPath, string.Create(CultureInfo.InvariantCulture,
            $"{step.Step},{step.Loss:G6},{step.LearningRate:G6},{step.GradientNorm:G6},{Trainer.TokensSeen},{ElapsedSeconds:F1}\n"));
        if (step.Step % Config.CheckpointEvery == 0 || Trainer.IsComplete) Checkpoint();
        return step;
    }

    /// <summary>Saves the checkpoint now (also used on cancellation).</summary>
    public void Checkpoint() => Trainer.SaveCheckpoint(_checkpointPath);

    /// <summary>Writes the trained model to <paramref name="modelPath"/> and its card to the same stem + ".card.json".</summary>
    public ModelCardFile Save(string modelPath)
    {
        var model = Trainer.Model;
        long processed = (long)Trainer.Step * Trainer.TokensPerStep;
        var card = new ModelCardFile(
            Config.Name, Config.Role, "arith", Config, model.Layout.Count, model.Layout.NonEmbeddingCount,
            processed, Trainer.TokensSeen, 6.0 * model.Layout.Count * processed, Trainer.Step, RecentLoss, ElapsedSeconds, []);
        var metadata = new Dictionary<string, GgufValue>
        {
            ["ponder.role"] = GgufValue.FromString(Config.Role),
            ["ponder.task"] = GgufValue.FromString("arith"),
            ["ponder.prm.format"] = GgufValue.FromString(Config.Role == "prm" ? "arith-tag" : "none"),
            ["ponder.training.config"] = GgufValue.FromString(Config.ToJson()),
            ["ponder.training.steps"] = GgufValue.FromUInt64((ulong)Trainer.Step),
            ["ponder.training.tokens"] = GgufValue.FromUInt64((ulong)Trainer.TokensSeen),
            ["ponder.training.final_loss"] = GgufValue.FromFloat32(RecentLoss),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(modelPath))!);
        new EngineModel(Config.Name, model, Tokenizer, metadata).Save(modelPath);
        card.Save(ModelCardFile.PathFor(modelPath));
        return card;
    }

    private const string LogHeader = "step,loss,learning_rate,gradient_norm,tokens_seen,elapsed_s\n";

    // Reads the log up to the checkpoint's step: the wall time by then, and the last losses into `recent`. With
    // `rewrite`, also drops the lines past that step (steps that will be redone).
    private static double ReadLog(string log, int step, bool rewrite, Queue<float> recent)
    {
        double seconds = 0;
        if (!File.Exists(log))
        {
            if (rewrite) File.WriteAllText(log, LogHeader);
            return 0;
        }
        var kept = new List<string>();
        foreach (var line in File.ReadLines(log))
        {
            var cells = line.Split(',');
            if (kept.Count > 0 && int.TryParse(cells[0], CultureInfo.InvariantCulture, out int s))
            {
                if (s > step) break;
                seconds = double.Parse(cells[^1], CultureInfo.InvariantCulture);
                recent.Enqueue(float.Parse(cells[1], CultureInfo.InvariantCulture));
                if (recent.Count > RecentSteps) recent.Dequeue();
            }
            kept.Add(line);
        }
        if (rewrite) File.WriteAllLines(log, kept);
        return seconds;
    }
}

/// <summary>
/// The model card written beside a trained model (also summarised in models/README.md). Training tokens are all
/// positions processed (the D of 6·N·D); supervised tokens are those that carried loss.
/// </summary>
public sealed record ModelCardFile(
    string Name, string Role, string Task, TrainingConfig Config, long Parameters, long NonEmbeddingParameters,
    long TrainingTokens, long SupervisedTokens, double TrainingFlops, int Steps, float FinalLoss, double WallSeconds,
    IReadOnlyList<EvaluationRecord> Evaluations)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>"models/x.gguf" → "models/x.card.json".</summary>
    public static string PathFor(string modelPath) => Path.ChangeExtension(modelPath, null) + ".card.json";

    /// <summary>Writes the card as JSON.</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>Reads a card.</summary>
    public static ModelCardFile Load(string path) =>
        JsonSerializer.Deserialize<ModelCardFile>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty model card");
}

/// <summary>An evaluation figure on a card, with the command that produced it.</summary>
public sealed record EvaluationRecord(string Command, JsonElement Result);
