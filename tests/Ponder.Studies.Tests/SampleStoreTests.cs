using Ponder.Studies.Store;

namespace Ponder.Studies.Tests;

public sealed class SampleStoreTests
{
    [Fact]
    public void RowsRoundTripAndRewritingTheSameKeysAddsNothing()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ponder-{Guid.NewGuid():N}.db");
        try
        {
            var sample = new PoolSample("p1", "t=0.8;n=4", 2, "1+2=3\nA:3\n", "3", true, 10, 10, 8, 0.75, 30, 0.01);
            var row = new ResultRow("p1", 2, "beam", "{\"beamWidth\":4}", 16, ulong.MaxValue, 1, 120, 300, 1.5e9, 2e8, 0.02, 0.4, "3", "round 1");
            using (var store = SampleStore.Open(path))
            {
                store.Write([sample], [row]);
                store.Write([sample with { Text = "changed" }], [row with { Accuracy = 0 }]);
                store.SetMeta("run_config", "{}");
            }
            using (var reopened = SampleStore.Open(path))
            {
                Assert.Equal([sample], reopened.Pool("p1", "t=0.8;n=4"));
                Assert.Equal([row], reopened.Results());
                Assert.True(reopened.HasResult("p1", "beam", "{\"beamWidth\":4}", 16, ulong.MaxValue));
                Assert.False(reopened.HasResult("p1", "beam", "{\"beamWidth\":4}", 4, ulong.MaxValue));
                Assert.Equal("{}", reopened.GetMeta("run_config"));
            }
        }
        finally
        {
            foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + "*")) File.Delete(file);
        }
    }

    [Fact]
    public void AFileThatIsNotAStoreIsAClearError()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ponder-{Guid.NewGuid():N}.db");
        try
        {
            File.WriteAllText(path, "this is not a database, just text that happens to be long enough to look like a header......");
            var e = Assert.Throws<InvalidDataException>(() => SampleStore.Open(path));
            Assert.Contains(path, e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void AnotherProgramsDatabaseIsRefusedAndLeftUnchanged()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ponder-{Guid.NewGuid():N}.db");
        try
        {
            using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "CREATE TABLE notes (text TEXT)";
                command.ExecuteNonQuery();
            }
            byte[] before = File.ReadAllBytes(path);
            var e = Assert.Throws<InvalidDataException>(() => SampleStore.Open(path));
            Assert.Contains("not a Ponder store", e.Message);
            Assert.Contains("notes", e.Message);
            Assert.Equal(before, File.ReadAllBytes(path));
        }
        finally
        {
            foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + "*")) File.Delete(file);
        }
    }
}
