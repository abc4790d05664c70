using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Ponder.Tasks.CodeExecution;

/// <summary>
/// Starts sandbox processes from a thread that lives as long as Ponder, and finds live processes by real uid through
/// <c>/proc</c>: the check that a sandbox run left nothing behind.
/// </summary>
internal static class SandboxProcesses
{
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SweepTimeout = TimeSpan.FromSeconds(5);
    private static readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Started)> Launches = StartLauncher();

    /// <summary>
    /// Starts <paramref name="info"/> from the launcher thread. bubblewrap's <c>--die-with-parent</c> is a parent-death
    /// signal, which Linux sends when the <em>thread</em> that started the process exits, not the process: started from
    /// a thread-pool thread, a run was killed (<c>SIGKILL</c>, no verdict) whenever the pool retired that thread mid-run,
    /// which a loaded machine makes likely. The launcher thread ends only with Ponder, when the runs should end too.
    /// </summary>
    public static Task<Process> StartAsync(ProcessStartInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        Launches.Add((info, started));
        return started.Task;
    }

    private static BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Started)> StartLauncher()
    {
        var launches = new BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Started)>();
        var launcher = new Thread(() =>
        {
            foreach (var (info, started) in launches.GetConsumingEnumerable())
            {
                try { started.SetResult(Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}")); }
                catch (Exception e) { started.SetException(e); }
            }
        })
        { IsBackground = true, Name = "sandbox launcher" };
        launcher.Start();
        return launches;
    }

    /// <summary>The pids of live (not zombie) processes whose real uid is <paramref name="uid"/>.</summary>
    public static List<int> Find(int uid)
    {
        var found = new List<int>();
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            if (Status(pid) is { } status && status.Uid == uid && status.State != 'Z') found.Add(pid);
        }
        return found;
    }

    /// <summary>Whether any live process has real uid <paramref name="uid"/>.</summary>
    public static bool Any(int uid) => Find(uid).Count > 0;

    /// <summary>This process's real uid.</summary>
    public static int OwnUid() => Status(Environment.ProcessId)?.Uid ?? throw new InvalidOperationException("cannot read /proc/self/status");

    /// <summary>Waits until no live process has real uid <paramref name="uid"/>. The PID namespace's teardown normally
    /// leaves none a moment after its init dies; any still there after <see cref="GracePeriod"/> get <c>SIGKILL</c> from
    /// <c>kill -9 -1</c> run as that uid through <paramref name="setpriv"/>.</summary>
    /// <remarks>Killing by uid, not by pid: the uid belongs to this run alone, whereas a pid read from <c>/proc</c> may
    /// be reused by an unrelated process before the kill lands (fork bombs cycle through the pid space in seconds).</remarks>
    /// <exception cref="InvalidOperationException">Processes with the uid survive <see cref="SweepTimeout"/>.</exception>
    public static async Task EnsureGoneAsync(int uid, string setpriv)
    {
        var clock = Stopwatch.StartNew();
        bool killed = false;
        while (Find(uid) is { Count: > 0 } pids)
        {
            if (clock.Elapsed > SweepTimeout)
                throw new InvalidOperationException($"sandbox processes of uid {uid} survived teardown: {string.Join(", ", pids)}");
            if (!killed && clock.Elapsed > GracePeriod)
            {
                killed = true;
                var info = new ProcessStartInfo(setpriv) { UseShellExecute = false };
                foreach (string arg in (string[])[$"--reuid={uid}", $"--regid={uid}", "--clear-groups", "--", "kill", "-9", "-1"]) info.ArgumentList.Add(arg);
                using var kill = Process.Start(info)!;
                await kill.WaitForExitAsync();
            }
            await Task.Delay(20);
        }
    }

    private static (int Uid, char State)? Status(int pid)
    {
        try
        {
            int? uid = null;
            char state = '?';
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("State:", StringComparison.Ordinal)) state = line[6..].TrimStart()[0];
                else if (line.StartsWith("Uid:", StringComparison.Ordinal))
                    uid = int.Parse(line[4..].Split('\t', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
            }
            return uid is { } u ? (u, state) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
