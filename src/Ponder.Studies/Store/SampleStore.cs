// The sample store: every generation and every strategy result of a sweep, with its compute, in one SQLite file (WAL).
// Rows are keyed by what determines them (problem, pool, index; problem, strategy, options, budget, seed) and written
// with INSERT OR IGNORE, one transaction per unit of work, so a sweep killed at any moment resumes without losing or
// duplicating anything, and a resumed sweep ends with exactly the rows of an uninterrupted one.

using Microsoft.Data.Sqlite;
using Ponder.Generation;
using Ponder.Strategies;

namespace Ponder.Studies.Store;

/// <summary>One policy sample of a problem's pool, with its grade and cost.</summary>
public sealed record PoolSample(
    string ProblemId, string Pool, int Index, string Text, string? Answer, bool Correct,
    int PromptTokens, int CachedPromptTokens, int GeneratedTokens, double? Score, int VerifierTokens, double WallSeconds)
{
    /// <summary>The sample as candidate <paramref name="index"/> of a pool strategy's choice: a finished solution with its score.</summary>
    public Candidate AsCandidate(int index) => new(index, Text, Answer, Score, null, FinishReason.EndOfSequence, null, Correct);
}

/// <summary>One strategy result row: a problem solved by a strategy at a budget (or, for pool-derived strategies, the
/// expectation over subsets of the pool, so <see cref="Accuracy"/> may be fractional).</summary>
public sealed record ResultRow(
    string ProblemId, int Level, string Strategy, string Options, int Budget, ulong Seed,
    double Accuracy, double PromptTokens, double GeneratedTokens, double PolicyFlops, double VerifierFlops,
    double IdealizedSeconds, double WallSeconds, string? Answer, string Trace);

/// <summary>A SQLite sample store. One writer at a time; safe to reopen after a crash.</summary>
public sealed class SampleStore : IDisposable
{
    private const int SchemaVersion = 1;
    private readonly SqliteConnection _connection;

    private SampleStore(string path, SqliteConnection connection)
    {
        Path = path;
        _connection = connection;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>
    /// Opens the store of one run, creating its folder and file if needed: a new store records <paramref name="runConfig"/>;
    /// a store that holds the same run is continued only when <paramref name="resume"/>; one holding another run is refused.
    /// <paramref name="run"/> names the run in messages ("a run"), <paramref name="elsewhere"/> the option that picks another store.
    /// </summary>
    /// <exception cref="ArgumentException">The store holds this run and <paramref name="resume"/> is false, or holds another run.</exception>
    /// <exception cref="InvalidDataException">The file is not a Ponder store or has another schema version.</exception>
    public static SampleStore OpenRun(string path, string runConfig, bool resume, string run, string elsewhere)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var store = Open(path);
        string? recorded = store.GetMeta(RunConfigKey);
        if (recorded is null) store.SetMeta(RunConfigKey, runConfig);
        else if (recorded != runConfig)
        {
            store.Dispose();
            throw new ArgumentException($"{path} holds a run with another configuration: {recorded}; choose another {elsewhere}");
        }
        else if (!resume)
        {
            store.Dispose();
            throw new ArgumentException($"{path} already holds {run}: pass --resume to continue it, or choose another {elsewhere}");
        }
        return store;
    }

    /// <summary>The metadata key of the configuration a run records in its store.</summary>
    public const string RunConfigKey = "run_config";

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a Ponder store or has another schema version.</exception>
    public static SampleStore Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            connection.Open();
            // Another program's database is refused before anything is written: creating the store's tables in it (and
            // switching it to WAL) would change a file that export and report only read.
            if (ForeignTables(connection) is { Count: > 0 } foreign)
                throw new InvalidDataException($"{path}: not a Ponder store: an SQLite database with other tables ({string.Join(", ", foreign)})");
            Execute(connection, """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = NORMAL;
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS samples (
                    problem_id TEXT NOT NULL, pool TEXT NOT NULL, idx INTEGER NOT NULL, text TEXT NOT NULL, answer TEXT,
                    correct INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL,
                    generated_tokens INTEGER NOT NULL, score REAL, verifier_tokens INTEGER NOT NULL, wall_seconds REAL NOT NULL,
                    PRIMARY KEY (problem_id, pool, idx));
                CREATE TABLE IF NOT EXISTS results (
                    problem_id TEXT NOT NULL, level INTEGER NOT NULL, strategy TEXT NOT NULL, options TEXT NOT NULL,
                    budget INTEGER NOT NULL, seed INTEGER NOT NULL, accuracy REAL NOT NULL, prompt_tokens REAL NOT NULL,
                    generated_tokens REAL NOT NULL, policy_flops REAL NOT NULL, verifier_flops REAL NOT NULL,
                    idealized_seconds REAL NOT NULL, wall_seconds REAL NOT NULL, answer TEXT, trace TEXT NOT NULL,
                    PRIMARY KEY (problem_id, strategy, options, budget, seed));
                """);
            string? version = GetMeta(connection, "schema_version");
            if (version is null) SetMeta(connection, "schema_version", SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
            else if (version != SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
                throw new InvalidDataException($"{path}: store schema version {version}, this Ponder reads version {SchemaVersion}");
            return new SampleStore(path, connection);
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new InvalidDataException($"{path}: not a readable Ponder store: {e.Message}", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A metadata value, or null.</summary>
    public string? GetMeta(string key) => GetMeta(_connection, key);

    /// <summary>Sets a metadata value.</summary>
    public void SetMeta(string key, string value) => SetMeta(_connection, key, value);

    /// <summary>The stored pool of a problem, by index; empty when not drawn yet.</summary>
    public IReadOnlyList<PoolSample> Pool(string problemId, string pool)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT idx, text, answer, correct, prompt_tokens, cached_tokens, generated_tokens, score, verifier_tokens, wall_seconds FROM samples WHERE problem_id = $p AND pool = $pool ORDER BY idx";
        command.Parameters.AddWithValue("$p", problemId);
        command.Parameters.AddWithValue("$pool", pool);
        using var reader = command.ExecuteReader();
        var samples = new List<PoolSample>();
        while (reader.Read())
            samples.Add(new PoolSample(problemId, pool, reader.GetInt32(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetInt32(3) != 0, reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6), reader.IsDBNull(7) ? null : reader.GetDouble(7),
                reader.GetInt32(8), reader.GetDouble(9)));
        return samples;
    }

    /// <summary>Whether a result row with this key exists.</summary>
    public bool HasResult(string problemId, string strategy, string options, int budget, ulong seed)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM results WHERE problem_id = $p AND strategy = $s AND options = $o AND budget = $b AND seed = $seed";
        command.Parameters.AddWithValue("$p", problemId);
        command.Parameters.AddWithValue("$s", strategy);
        command.Parameters.AddWithValue("$o", options);
        command.Parameters.AddWithValue("$b", budget);
        command.Parameters.AddWithValue("$seed", unchecked((long)seed));
        return command.ExecuteScalar() is not null;
    }

    /// <summary>Writes samples and result rows in one transaction; rows already present are kept as they are.</summary>
    public void Write(IEnumerable<PoolSample> samples, IEnumerable<ResultRow> results)
    {
        using var transaction = _connection.BeginTransaction();
        foreach (var s in samples)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT OR IGNORE INTO samples VALUES ($p, $pool, $i, $text, $answer, $correct, $pt, $ct, $gt, $score, $vt, $wall)";
            command.Parameters.AddWithValue("$p", s.ProblemId);
            command.Parameters.AddWithValue("$pool", s.Pool);
            command.Parameters.AddWithValue("$i", s.Index);
            command.Parameters.AddWithValue("$text", s.Text);
            command.Parameters.AddWithValue("$answer", (object?)s.Answer ?? DBNull.Value);
            command.Parameters.AddWithValue("$correct", s.Correct ? 1 : 0);
            command.Parameters.AddWithValue("$pt", s.PromptTokens);
            command.Parameters.AddWithValue("$ct", s.CachedPromptTokens);
            command.Parameters.AddWithValue("$gt", s.GeneratedTokens);
            command.Parameters.AddWithValue("$score", (object?)s.Score ?? DBNull.Value);
            command.Parameters.AddWithValue("$vt", s.VerifierTokens);
            command.Parameters.AddWithValue("$wall", s.WallSeconds);
            command.ExecuteNonQuery();
        }
        foreach (var r in results)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT OR IGNORE INTO results VALUES ($p, $level, $s, $o, $b, $seed, $acc, $pt, $gt, $pf, $vf, $ideal, $wall, $answer, $trace)";
            command.Parameters.AddWithValue("$p", r.ProblemId);
            command.Parameters.AddWithValue("$level", r.Level);
            command.Parameters.AddWithValue("$s", r.Strategy);
            command.Parameters.AddWithValue("$o", r.Options);
            command.Parameters.AddWithValue("$b", r.Budget);
            command.Parameters.AddWithValue("$seed", unchecked((long)r.Seed));
            command.Parameters.AddWithValue("$acc", r.Accuracy);
            command.Parameters.AddWithValue("$pt", r.PromptTokens);
            command.Parameters.AddWithValue("$gt", r.GeneratedTokens);
            command.Parameters.AddWithValue("$pf", r.PolicyFlops);
            command.Parameters.AddWithValue("$vf", r.VerifierFlops);
            command.Parameters.AddWithValue("$ideal", r.IdealizedSeconds);
            command.Parameters.AddWithValue("$wall", r.WallSeconds);
            command.Parameters.AddWithValue("$answer", (object?)r.Answer ?? DBNull.Value);
            command.Parameters.AddWithValue("$trace", r.Trace);
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    /// <summary>Every pool sample, in key order.</summary>
    public IReadOnlyList<PoolSample> Samples()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT problem_id, pool FROM samples ORDER BY problem_id, pool";
        var pools = new List<(string, string)>();
        using (var reader = command.ExecuteReader())
            while (reader.Read()) pools.Add((reader.GetString(0), reader.GetString(1)));
        return pools.SelectMany(p => Pool(p.Item1, p.Item2)).ToArray();
    }

    /// <summary>Every result row, in key order.</summary>
    public IReadOnlyList<ResultRow> Results()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT problem_id, level, strategy, options, budget, seed, accuracy, prompt_tokens, generated_tokens, policy_flops, verifier_flops, idealized_seconds, wall_seconds, answer, trace FROM results ORDER BY problem_id, strategy, options, budget, seed";
        using var reader = command.ExecuteReader();
        var rows = new List<ResultRow>();
        while (reader.Read())
            rows.Add(new ResultRow(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4),
                unchecked((ulong)reader.GetInt64(5)), reader.GetDouble(6), reader.GetDouble(7), reader.GetDouble(8), reader.GetDouble(9),
                reader.GetDouble(10), reader.GetDouble(11), reader.GetDouble(12), reader.IsDBNull(13) ? null : reader.GetString(13), reader.GetString(14)));
        return rows;
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    // The tables of a database that has tables but not the store's meta table; empty for a store or an empty file.
    private static List<string> ForeignTables(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
        var tables = new List<string>();
        using (var reader = command.ExecuteReader())
            while (reader.Read()) tables.Add(reader.GetString(0));
        return tables.Contains("meta") ? [] : tables;
    }

    private static string? GetMeta(SqliteConnection connection, string key)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = $k";
        command.Parameters.AddWithValue("$k", key);
        return command.ExecuteScalar() as string;
    }

    private static void SetMeta(SqliteConnection connection, string key, string value)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO meta (key, value) VALUES ($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
        command.Parameters.AddWithValue("$k", key);
        command.Parameters.AddWithValue("$v", value);
        command.ExecuteNonQuery();
    }
}
