// The training loop: forward, backward, global-norm clipping, AdamW with warmup + cosine schedule; deterministic for a
// seed (data is a function of the step, initialisation of the seed, kernels never reduce across threads) and
// resumable from a checkpoint that holds the parameters, both AdamW moments and the step.

using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Ponder.Engine.Model;

namespace Ponder.Engine.Training;

/// <summary>What one optimiser step did.</summary>
public readonly record struct TrainingStep(int Step, float Loss, float LearningRate, float GradientNorm, int Tokens);

/// <summary>Trains a <see cref="LlamaModel"/> in place. Not thread-safe: one caller drives it.</summary>
public sealed class Trainer
{
    private const string CheckpointMagic = "PNDRCKPT";
    private const int CheckpointVersion = 1;

    private readonly ITrainingData _data;
    private readonly TrainingPass _pass;
    private readonly AdamW _adam;
    private readonly int[] _inputs, _targets;
    private readonly float[] _mask;

    /// <summary>Starts training <paramref name="model"/> at step 0.</summary>
    public Trainer(LlamaModel model, TrainingOptions options, ITrainingData data)
    {
        options.Validate();
        Model = model;
        Options = options;
        _data = data;
        int length = options.SequenceLength ?? model.Config.ContextLength;
        _pass = new TrainingPass(model, options.BatchSizeOrDefault, length);
        _adam = new AdamW(model.Layout);
        int n = options.BatchSizeOrDefault * length;
        _inputs = new int[n]; _targets = new int[n]; _mask = new float[n];
    }

    /// <summary>The model being trained.</summary>
    public LlamaModel Model { get; }
    /// <summary>The settings.</summary>
    public TrainingOptions Options { get; }
    /// <summary>Optimiser steps completed.</summary>
    public int Step { get; private set; }
    /// <summary>Optimiser steps of the whole run (<see cref="TrainingOptions.Steps"/> or its default).</summary>
    public int TotalSteps => Options.StepsOrDefault;
    /// <summary>Whether all <see cref="TotalSteps"/> are done.</summary>
    public bool IsComplete => Step >= TotalSteps;
    /// <summary>Loss-masked tokens trained on so far (the D of 6·N·D).</summary>
    public long TokensSeen { get; private set; }
    /// <summary>Training FLOPs of one step, forward + backward ≈ 3× forward.</summary>
    public double FlopsPerStep => 3 * _pass.ForwardFlopsPerBatch();
    /// <summary>Tokens (all positions, masked or not) processed per step.</summary>
    public int TokensPerStep => _pass.BatchSize * _pass.SequenceLength;

    /// <summary>Runs one optimiser step on the batch of the current step number.</summary>
    public TrainingStep TrainStep()
    {
        if (IsComplete) throw new InvalidOperationException($"training is complete ({Step} steps)");
        _data.FillBatch(Step, _inputs, _targets, _mask);
        _pass.ZeroGradients();
        float loss = _pass.Forward(_inputs, _targets, _mask);
        _pass.Backward();
        var grads = _pass.Gradients;

        double sumSquares = 0;
        foreach (float g in grads) sumSquares += (double)g * g;
        float norm = (float)Math.Sqrt(sumSquares);
        float clip = Options.GradientClipOrDefault;
        if (clip > 0 && norm > clip)
            System.Numerics.Tensors.TensorPrimitives.Multiply(grads, clip / norm, grads);

        float lr = Options.LearningRateAt(Step);
        _adam.Update(Model.Weights, grads, lr, Step + 1, Options);
        Step++;
        int tokens = 0;
        foreach (float m in _mask) if (m != 0) tokens++;
        TokensSeen += tokens;
        return new TrainingStep(Step, loss, lr, norm, tokens);
    }

    /// <summary>Writes parameters, optimiser state and progress to <paramref name="path"/> atomically.</summary>
    public void SaveCheckpoint(string path)
    {
        var header = new CheckpointHeader(Model.Config, Options, Step, TokensSeen);
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
        string temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write(Encoding.ASCII.GetBytes(CheckpointMagic));
            writer.Write(CheckpointVersion);
            writer.Write(json.Length);
            writer.Write(json);
            foreach (var buffer in new[] { Model.Weights, _adam.FirstMoment, _adam.SecondMoment })
                writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(buffer.AsSpan()));
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Restores a trainer from a checkpoint written by <see cref="SaveCheckpoint"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid checkpoint; the message names the file and the problem.</exception>
    public static Trainer Resume(string path, ITrainingData data)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new InvalidDataException($"{path}: cannot read checkpoint: {e.Message}", e); }
        int pos = 0;
        ReadOnlySpan<byte> Take(int count, string what)
        {
            if (count < 0 || pos + (long)count > bytes.Length)
                throw new InvalidDataException($"{path}: truncated checkpoint: {what} needs bytes [{pos}, {pos + (long)count}), file has {bytes.Length}");
            var s = bytes.AsSpan(pos, count);
            pos += count;
            return s;
        }
        string magic = Encoding.ASCII.GetString(Take(8, "magic"));
        if (magic != CheckpointMagic) throw new InvalidDataException($"{path}: not a Ponder checkpoint: expected magic \"{CheckpointMagic}\", found \"{magic}\"");
        int version = BinaryPrimitives.ReadInt32LittleEndian(Take(4, "version"));
        if (version != CheckpointVersion) throw new InvalidDataException($"{path}: unsupported checkpoint version {version}, expected {CheckpointVersion}");
        int jsonLength = BinaryPrimitives.ReadInt32LittleEndian(Take(4, "header length"));
        CheckpointHeader header;
        try
        {
            header = JsonSerializer.Deserialize<CheckpointHeader>(Take(jsonLength, "header"))
                ?? throw new InvalidDataException($"{path}: empty checkpoint header");
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: malformed checkpoint header: {e.Message}", e); }
        if (header.Config is null || header.Options is null)
            throw new InvalidDataException($"{path}: malformed checkpoint header: no model or training config");
        if (header.Step < 0 || header.Step > header.Options.StepsOrDefault || header.TokensSeen < 0)
            throw new InvalidDataException($"{path}: malformed checkpoint header: step {header.Step} of {header.Options.StepsOrDefault}, {header.TokensSeen} tokens seen");

        ParameterLayout layout;
        try { layout = new ParameterLayout(header.Config); header.Options.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: malformed checkpoint header: {e.Message}", e); }
        int count = checked((int)layout.Count);
        float[] ReadFloats(string what)
        {
            var floats = new float[count];
            Take(count * sizeof(float), what).CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.AsSpan()));
            return floats;
        }
        var model = new LlamaModel(header.Config, ReadFloats("parameters"));
        var trainer = new Trainer(model, header.Options, data) { Step = header.Step, TokensSeen = header.TokensSeen };
        ReadFloats("first moment").CopyTo(trainer._adam.FirstMoment, 0);
        ReadFloats("second moment").CopyTo(trainer._adam.SecondMoment, 0);
        if (pos != bytes.Length) throw new InvalidDataException($"{path}: {bytes.Length - pos} unexpected trailing bytes after the optimiser state");
        return trainer;
    }

    private sealed record CheckpointHeader(LlamaConfig Config, TrainingOptions Options, int Step, long TokensSeen);
}
