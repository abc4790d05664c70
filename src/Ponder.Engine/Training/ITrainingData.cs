namespace Ponder.Engine.Training;

/// <summary>
/// Supplies training batches. A batch is a pure function of its step number so that a resumed run sees exactly the
/// batches an uninterrupted run would have seen.
/// </summary>
public interface ITrainingData
{
    /// <summary>
    /// Fills one batch of B sequences of T tokens, row-major [B·T]: <paramref name="inputs"/>, the next-token
    /// <paramref name="targets"/>, and a loss <paramref name="mask"/> (0 = do not learn this position).
    /// </summary>
    void FillBatch(long step, int[] inputs, int[] targets, float[] mask);
}
