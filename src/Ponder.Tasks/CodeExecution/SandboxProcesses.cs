using System.Diagnostics;
using System.Globalization;

namespace Ponder.Tasks.CodeExecution;

/// <summary>Finds live processes by real uid through <c>/proc</c>: the check that a sandbox run left nothing behind.</summary>
internal static class SandboxProcesses
{
    private static readonly TimeSpan SweepTimeout = TimeSpan.FromSeconds(5);

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

    /// <summary>Kills every live process with real uid <paramref name="uid"/> until none is left (the PID namespace's
    /// teardown normally leaves none; this closes the moment between its init's death and the kernel's sweep).</summary>
    /// <exception cref="InvalidOperationException">Processes with the uid survive <see cref="SweepTimeout"/>.</exception>
    public static async Task KillAllAsync(int uid)
    {
        var clock = Stopwatch.StartNew();
        while (Find(uid) is { Count: > 0 } pids)
        {
            if (clock.Elapsed > SweepTimeout)
                throw new InvalidOperationException($"sandbox processes of uid {uid} survived teardown: {string.Join(", ", pids)}");
            foreach (int pid in pids)
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill();
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // Gone already, or a zombie waiting for its parent.
                }
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
