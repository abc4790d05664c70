using Ponder;
using Ponder.Generation;

namespace Ponder.Engine.Model;

/// <summary>
/// A Llama-architecture model: its shape and its parameters in one contiguous buffer laid out by
/// <see cref="ParameterLayout"/>. Weights are read-only during inference, so one instance can serve concurrent callers.
/// </summary>
public sealed class LlamaModel
{
    /// <summary>Wraps existing weights (length must equal the layout's count).</summary>
    public LlamaModel(LlamaConfig config, float[] weights)
    {
        config.Validate();
        Config = config;
        Layout = new ParameterLayout(config);
        if (weights.Length != Layout.Count)
            throw new ArgumentException($"weights have {weights.Length} floats, the configuration needs {Layout.Count}");
        Weights = weights;
    }

    /// <summary>The shape.</summary>
    public LlamaConfig Config { get; }
    /// <summary>Where each tensor lives in <see cref="Weights"/>.</summary>
    public ParameterLayout Layout { get; }
    /// <summary>All parameters.</summary>
    public float[] Weights { get; }

    /// <summary>Span over one tensor of the weights.</summary>
    public Span<float> this[ParameterTensor tensor] => Weights.AsSpan((int)tensor.Offset, tensor.Length);

    /// <summary>
    /// A freshly initialised model: matrices ~ N(0, 0.02²) with the residual output projections scaled by 1/sqrt(2L)
    /// (GPT-2's scheme), norm weights 1.
    /// </summary>
    public static LlamaModel CreateRandom(LlamaConfig config, ulong seed)
    {
        var layout = new ParameterLayout(config);
        var weights = new float[layout.Count];
        var rng = new SplitMix64(seed);
        var residualOutputs = layout.Blocks.SelectMany(b => new[] { b.AttentionOutput, b.Down }).ToHashSet();
        foreach (var t in layout.Tensors)
        {
            var span = weights.AsSpan((int)t.Offset, t.Length);
            if (!t.IsMatrix) { span.Fill(1f); continue; }
            float std = residualOutputs.Contains(t) ? 0.02f / MathF.Sqrt(2 * config.Layers) : 0.02f;
            for (int i = 0; i < span.Length; i++) span[i] = rng.NextGaussian() * std;
        }
        return new LlamaModel(config, weights);
    }

    /// <summary>The model card used for compute accounting.</summary>
    public ModelCard Card(string name) => new(
        name, Layout.Count, Layout.NonEmbeddingCount, Config.Layers, Config.ModelDim, Config.AttentionDim,
        Config.Heads, Config.KeyValueHeads, Config.ContextLength, Config.VocabularySize);
}
