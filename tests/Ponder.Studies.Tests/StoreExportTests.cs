using System.Text.Json;
using Parquet.Serialization;
using Ponder.Studies.Store;

namespace Ponder.Studies.Tests;

public sealed class StoreExportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ponder-export-").FullName;

    private static readonly PoolSample[] Samples =
    [
        new("p1", "t=0.8;n=4", 0, "1+2=3\nA:3\n", "3", true, 10, 0, 8, 0.75, 30, 0.01),
        new("p1", "t=0.8;n=4", 1, "1+2=4\n", null, false, 10, 10, 5, null, 0, 0.02),
    ];

    private static readonly ResultRow[] Results =
    [
        new("p1", 2, "beam", "{\"beamWidth\":4}", 16, ulong.MaxValue, 1, 120, 300, 1.5e9, 2e8, 0.02, 0.4, "3", "round 1"),
        new("p1", 2, "majority", "{}", 4, 7, 0.25, 40, 32, 3e7, 0, 0.001, 0.1, null, ""),
    ];

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private SampleStore CreateStore()
    {
        var store = SampleStore.Open(Path.Combine(_folder, "store.db"));
        store.Write(Samples, Results);
        return store;
    }

    [Fact]
    public async Task ParquetHoldsEveryFieldOfEveryRow()
    {
        using var store = CreateStore();
        string output = Path.Combine(_folder, "parquet");
        Assert.Equal(4, await StoreExport.WriteAsync(store, ExportFormat.Parquet, output));

        var samples = await ParquetSerializer.DeserializeAsync<SampleColumns>(Path.Combine(output, StoreExport.SamplesFile));
        Assert.Equal(Samples, samples.Data.Select(s => new PoolSample(s.ProblemId!, s.Pool!, s.Index, s.Text!, s.Answer, s.Correct,
            s.PromptTokens, s.CachedPromptTokens, s.GeneratedTokens, s.Score, s.VerifierTokens, s.WallSeconds)));
        var results = await ParquetSerializer.DeserializeAsync<ResultColumns>(Path.Combine(output, StoreExport.ResultsFile));
        Assert.Equal(Results, results.Data.Select(r => new ResultRow(r.ProblemId!, r.Level, r.Strategy!, r.Options!, r.Budget, r.Seed,
            r.Accuracy, r.PromptTokens, r.GeneratedTokens, r.PolicyFlops, r.VerifierFlops, r.IdealizedSeconds, r.WallSeconds,
            r.Answer, r.Trace!)));
        Assert.Empty(Directory.GetFiles(output, "*.tmp"));
    }

    [Fact]
    public async Task JsonLinesHoldOneObjectPerRowInKeyOrder()
    {
        using var store = CreateStore();
        string output = Path.Combine(_folder, "out", "export.jsonl");
        await StoreExport.WriteAsync(store, ExportFormat.JsonLines, output);
        var lines = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(["sample", "sample", "result", "result"], lines.Select(l => l.GetProperty("kind").GetString()));
        Assert.Equal(1, lines[1].GetProperty("sample").GetProperty("Index").GetInt32());
        Assert.Equal("beam", lines[2].GetProperty("result").GetProperty("Strategy").GetString());
    }

    // Mutable mirrors of the store's records, for reading the Parquet files back through the class deserializer.
    private sealed class SampleColumns
    {
        public string? ProblemId { get; set; }
        public string? Pool { get; set; }
        public int Index { get; set; }
        public string? Text { get; set; }
        public string? Answer { get; set; }
        public bool Correct { get; set; }
        public int PromptTokens { get; set; }
        public int CachedPromptTokens { get; set; }
        public int GeneratedTokens { get; set; }
        public double? Score { get; set; }
        public int VerifierTokens { get; set; }
        public double WallSeconds { get; set; }
    }

    private sealed class ResultColumns
    {
        public string? ProblemId { get; set; }
        public int Level { get; set; }
        public string? Strategy { get; set; }
        public string? Options { get; set; }
        public int Budget { get; set; }
        public ulong Seed { get; set; }
        public double Accuracy { get; set; }
        public double PromptTokens { get; set; }
        public double GeneratedTokens { get; set; }
        public double PolicyFlops { get; set; }
        public double VerifierFlops { get; set; }
        public double IdealizedSeconds { get; set; }
        public double WallSeconds { get; set; }
        public string? Answer { get; set; }
        public string? Trace { get; set; }
    }
}
