namespace Ponder.Engine.Training;

/// <summary>Optimiser and schedule settings. Null properties take the defaults shown.</summary>
public sealed record TrainingOptions
{
    /// <summary>Optimiser steps. Default 1000.</summary>
    public int? Steps { get; init; }
    /// <summary>Sequences per step (B). Default 16.</summary>
    public int? BatchSize { get; init; }
    /// <summary>Tokens per sequence (T). Default: the model's context length.</summary>
    public int? SequenceLength { get; init; }
    /// <summary>Peak learning rate. Default 1e-3.</summary>
    public float? LearningRate { get; init; }
    /// <summary>Final learning rate as a fraction of the peak, reached by cosine decay. Default 0.1.</summary>
    public float? MinLearningRateFraction { get; init; }
    /// <summary>Linear warmup steps. Default 100.</summary>
    public int? WarmupSteps { get; init; }
    /// <summary>AdamW decoupled weight decay, applied to matrices only. Default 0.1.</summary>
    public float? WeightDecay { get; init; }
    /// <summary>AdamW β1. Default 0.9.</summary>
    public float? Beta1 { get; init; }
    /// <summary>AdamW β2. Default 0.95.</summary>
    public float? Beta2 { get; init; }
    /// <summary>AdamW ε. Default 1e-8.</summary>
    public float? Epsilon { get; init; }
    /// <summary>Clip the global gradient norm to this value; 0 disables. Default 1.</summary>
    public float? GradientClip { get; init; }
    /// <summary>Seed of initialisation and data order. Default 1.</summary>
    public ulong? Seed { get; init; }

    internal int StepsOrDefault => Steps ?? 1000;
    internal int BatchSizeOrDefault => BatchSize ?? 16;
    internal float LearningRateOrDefault => LearningRate ?? 1e-3f;
    internal float MinLearningRateFractionOrDefault => MinLearningRateFraction ?? 0.1f;
    internal int WarmupStepsOrDefault => WarmupSteps ?? 100;
    internal float WeightDecayOrDefault => WeightDecay ?? 0.1f;
    internal float Beta1OrDefault => Beta1 ?? 0.9f;
    internal float Beta2OrDefault => Beta2 ?? 0.95f;
    internal float EpsilonOrDefault => Epsilon ?? 1e-8f;
    internal float GradientClipOrDefault => GradientClip ?? 1f;
    internal ulong SeedOrDefault => Seed ?? 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending value.</summary>
    public void Validate()
    {
        if (StepsOrDefault < 1) throw new ArgumentException($"steps must be ≥ 1, got {Steps}");
        if (BatchSizeOrDefault < 1) throw new ArgumentException($"batch size must be ≥ 1, got {BatchSize}");
        if (SequenceLength is < 1) throw new ArgumentException($"sequence length must be ≥ 1, got {SequenceLength}");
        if (!(LearningRateOrDefault > 0)) throw new ArgumentException($"learning rate must be > 0, got {LearningRate}");
        if (MinLearningRateFractionOrDefault is < 0 or > 1) throw new ArgumentException($"minimum learning rate fraction must be in [0, 1], got {MinLearningRateFraction}");
        if (WarmupStepsOrDefault < 0) throw new ArgumentException($"warmup steps must be ≥ 0, got {WarmupSteps}");
        if (WeightDecayOrDefault < 0) throw new ArgumentException($"weight decay must be ≥ 0, got {WeightDecay}");
        if (Beta1OrDefault is < 0 or >= 1) throw new ArgumentException($"beta1 must be in [0, 1), got {Beta1}");
        if (Beta2OrDefault is < 0 or >= 1) throw new ArgumentException($"beta2 must be in [0, 1), got {Beta2}");
        if (!(EpsilonOrDefault > 0)) throw new ArgumentException($"epsilon must be > 0, got {Epsilon}");
        if (GradientClipOrDefault < 0) throw new ArgumentException($"gradient clip must be ≥ 0, got {GradientClip}");
    }

    /// <summary>Learning rate at <paramref name="step"/> (0-based): linear warmup, then cosine decay to the minimum.</summary>
    public float LearningRateAt(int step)
    {
        float peak = LearningRateOrDefault;
        int warmup = WarmupStepsOrDefault, total = StepsOrDefault;
        if (step < warmup) return peak * (step + 1) / warmup;
        if (total <= warmup) return peak;
        double progress = Math.Min(1.0, (double)(step - warmup) / (total - warmup));
        double min = peak * MinLearningRateFractionOrDefault;
        return (float)(min + 0.5 * (peak - min) * (1 + Math.Cos(Math.PI * progress)));
    }
}
