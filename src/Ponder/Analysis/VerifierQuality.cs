namespace Ponder.Analysis;

/// <summary>
/// How well a verifier separates correct from incorrect samples, judged against an exact checker, and what that
/// implies for resampling until the verifier accepts (Inference Scaling fLaws; DESIGN.md §7).
/// </summary>
/// <param name="Samples">Samples judged.</param>
/// <param name="Threshold">A sample is accepted when its score is ≥ this.</param>
/// <param name="SampleAccuracy">r: the fraction of samples that are correct.</param>
/// <param name="Completeness">c = P(accept | correct); NaN without correct samples.</param>
/// <param name="Soundness">s = P(reject | incorrect); NaN without incorrect samples.</param>
public sealed record VerifierQuality(int Samples, double Threshold, double SampleAccuracy, double Completeness, double Soundness)
{
    /// <summary>The score at or above which a verifier accepts a sample unless told otherwise.</summary>
    public const double DefaultThreshold = 0.5;

    /// <summary>
    /// The accuracy ceiling of resampling until the first accept: c·r / (c·r + (1 − r)(1 − s)); NaN when the verifier
    /// accepts nothing.
    /// </summary>
    public double Ceiling => AccuracyCeiling(Completeness, SampleAccuracy, Soundness);

    /// <summary>c·r / (c·r + (1 − r)(1 − s)); NaN when the verifier never accepts.</summary>
    public static double AccuracyCeiling(double completeness, double sampleAccuracy, double soundness)
    {
        double r = sampleAccuracy, c = completeness, s = soundness;
        // Without correct (or incorrect) samples c (or s) is undefined but multiplies zero.
        double acceptCorrect = r == 0 ? 0 : c * r, acceptWrong = r == 1 ? 0 : (1 - r) * (1 - s);
        return acceptCorrect + acceptWrong == 0 ? double.NaN : acceptCorrect / (acceptCorrect + acceptWrong);
    }

    /// <summary>
    /// Accuracy of drawing up to <paramref name="attempts"/> samples and answering with the first one the verifier accepts
    /// (abstaining, which counts as wrong, when none is): c·r·(1 − q^K)/(1 − q), q = 1 − c·r − (1 − r)(1 − s). Tends to
    /// <see cref="Ceiling"/> as K grows.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="attempts"/> is below 1.</exception>
    public double AccuracyWithAttempts(int attempts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        double r = SampleAccuracy;
        double acceptCorrect = r == 0 ? 0 : Completeness * r, acceptWrong = r == 1 ? 0 : (1 - r) * (1 - Soundness);
        double q = 1 - acceptCorrect - acceptWrong;
        return q >= 1 ? 0 : acceptCorrect * (1 - Math.Pow(q, attempts)) / (1 - q);
    }

    /// <summary>Measures a verifier from (score, correct) pairs of samples, accepting scores ≥ <paramref name="threshold"/>.</summary>
    /// <exception cref="ArgumentException">No samples, or a score that is not a number.</exception>
    public static VerifierQuality Measure(IEnumerable<(double Score, bool Correct)> samples, double threshold = DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(samples);
        int correct = 0, incorrect = 0, acceptedCorrect = 0, rejectedIncorrect = 0;
        foreach (var (score, isCorrect) in samples)
        {
            if (double.IsNaN(score)) throw new ArgumentException("a verifier score is NaN");
            bool accepted = score >= threshold;
            if (isCorrect) { correct++; if (accepted) acceptedCorrect++; }
            else { incorrect++; if (!accepted) rejectedIncorrect++; }
        }
        int total = correct + incorrect;
        if (total == 0) throw new ArgumentException("cannot measure a verifier on no samples");
        return new VerifierQuality(total, threshold, (double)correct / total,
            correct == 0 ? double.NaN : (double)acceptedCorrect / correct, incorrect == 0 ? double.NaN : (double)rejectedIncorrect / incorrect);
    }
}
