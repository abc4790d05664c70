using System.Text.Json;
using Parquet.Serialization;

namespace Ponder.Studies.Store;

/// <summary>The formats a sample store exports to.</summary>
public enum ExportFormat
{
    /// <summary>One JSON object per line, <c>{"kind": "sample", "sample": {…}}</c> or <c>{"kind": "result", "result": {…}}</c>.</summary>
    JsonLines,
    /// <summary>Two Parquet files in a folder, <c>samples.parquet</c> and <c>results.parquet</c>, one column per field.</summary>
    Parquet,
}

/// <summary>
/// Writes a store's samples and results, in key order, for analysis elsewhere (pandas, DuckDB, Spark). Column and
/// property names are the field names of <see cref="PoolSample"/> and <see cref="ResultRow"/> in both formats.
/// </summary>
public static class StoreExport
{
    /// <summary>The Parquet file of the samples inside the export folder.</summary>
    public const string SamplesFile = "samples.parquet";

    /// <summary>The Parquet file of the results inside the export folder.</summary>
    public const string ResultsFile = "results.parquet";

    /// <summary>
    /// Exports <paramref name="store"/> to <paramref name="output"/>: a file for <see cref="ExportFormat.JsonLines"/>, a
    /// folder (created if needed) for <see cref="ExportFormat.Parquet"/>. Files are written beside their final name and
    /// moved into place, so an interrupted export never leaves a truncated file behind.
    /// </summary>
    /// <returns>The number of rows written (samples plus results).</returns>
    public static async Task<int> WriteAsync(SampleStore store, ExportFormat format, string output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(output);
        var samples = store.Samples();
        var results = store.Results();
        switch (format)
        {
            case ExportFormat.JsonLines:
                var lines = samples.Select(s => JsonSerializer.Serialize(new { kind = "sample", sample = s }))
                    .Concat(results.Select(r => JsonSerializer.Serialize(new { kind = "result", result = r })));
                await WriteAtomicallyAsync(output, path => File.WriteAllLinesAsync(path, lines, cancellationToken));
                break;
            case ExportFormat.Parquet:
                Directory.CreateDirectory(output);
                await WriteAtomicallyAsync(Path.Combine(output, SamplesFile),
                    path => ParquetSerializer.SerializeAsync(samples, path, cancellationToken: cancellationToken));
                await WriteAtomicallyAsync(Path.Combine(output, ResultsFile),
                    path => ParquetSerializer.SerializeAsync(results, path, cancellationToken: cancellationToken));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "unknown export format");
        }
        return samples.Count + results.Count;
    }

    private static async Task WriteAtomicallyAsync(string path, Func<string, Task> write)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            await write(temporary);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
