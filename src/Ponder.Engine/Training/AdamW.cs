using Ponder.Engine.Model;

namespace Ponder.Engine.Training;

/// <summary>AdamW with bias correction and decoupled weight decay on matrices; moments in buffers laid out like the parameters.</summary>
internal sealed class AdamW(ParameterLayout layout)
{
    public float[] FirstMoment { get; } = new float[layout.Count];
    public float[] SecondMoment { get; } = new float[layout.Count];

    /// <summary>One update with learning rate <paramref name="lr"/> at 1-based step <paramref name="t"/>.</summary>
    public void Update(float[] parameters, float[] gradients, float lr, int t, TrainingOptions o)
    {
        float b1 = o.Beta1OrDefault, b2 = o.Beta2OrDefault, eps = o.EpsilonOrDefault, wd = o.WeightDecayOrDefault;
        float c1 = 1f / (1f - MathF.Pow(b1, t)), c2 = 1f / (1f - MathF.Pow(b2, t));
        var m = FirstMoment;
        var v = SecondMoment;
        Parallel.ForEach(layout.Tensors, tensor =>
        {
            float decay = tensor.IsMatrix ? wd : 0f;
            int end = (int)tensor.Offset + tensor.Length;
            for (int i = (int)tensor.Offset; i < end; i++)
            {
                float g = gradients[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                float update = m[i] * c1 / (MathF.Sqrt(v[i] * c2) + eps);
                parameters[i] -= lr * (update + decay * parameters[i]);
            }
        });
    }
}
