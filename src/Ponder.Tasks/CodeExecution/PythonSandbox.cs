using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ponder.Tasks.CodeExecution;

/// <summary>
/// Runs untrusted Python 3 programs with their tests (HumanEval, MBPP) in a sandbox and reports pass/fail, the failing
/// test and line, and the resources used.
/// </summary>
/// <remarks>
/// <para><b>What it relies on</b>: Linux, <c>bwrap</c> (bubblewrap ≥ 0.8, Debian package <c>bubblewrap</c>; used without
/// setuid, through an unprivileged user namespace), <c>setpriv</c> (util-linux) and a Python ≥ 3.8 readable by an
/// unprivileged user (Debian package <c>python3</c>). No daemon, no cgroups. <see cref="CreateAsync"/> checks all of it
/// with a probe run and fails with <see cref="PythonSandboxUnavailableException"/> saying what is missing.</para>
/// <para><b>Each run</b> gets: when Ponder runs as root, a fresh random uid (<c>setpriv --reuid</c>) that no other
/// process has, so nothing on the host is writable by it and limits are not shared with other runs; otherwise Ponder's
/// own uid. Then bubblewrap gives it new user, PID, network, IPC, UTS and cgroup namespaces (<c>--unshare-all</c>: no
/// network but a downed loopback), a new session (its own process group), an empty environment, a root file system
/// that holds only read-only <c>/usr</c> (and the interpreter's prefix if elsewhere), a private <c>/proc</c>, a
/// minimal read-only <c>/dev</c>, a read-only empty <c>/tmp</c>, the harness read-only at <c>/harness</c>, and as its
/// only writable place a fresh size-limited tmpfs at <c>/work</c> (the working, home and temp directory), which
/// vanishes with the run. Other runs' files are not in its mount namespace at all.</para>
/// <para><b>Limits</b> (<see cref="PythonSandboxOptions"/>), set by the harness with <c>setrlimit</c> before the program
/// starts and inherited by its children: CPU seconds per process (<c>SIGXCPU</c>, then <c>SIGKILL</c> a second later),
/// address space, processes (counted in the run's own user namespace, so a fork bomb hits its own limit only), file
/// size and open files; plus the work directory's size, the output size (counted here, run killed past it) and a
/// wall-clock timeout (run killed).</para>
/// <para><b>Teardown</b>: killing the outer bubblewrap process kills the namespace's init (<c>--die-with-parent</c>),
/// and the kernel kills every process of a PID namespace when its init dies, so nothing the program started can
/// survive, whatever it did with sessions, process groups or double forks. If Ponder itself dies, the harness sees its
/// stdin (which Ponder holds open) reach end of file and exits, which ends the namespace the same way. In root mode
/// the run then waits until no live process has the run's uid, and kills any left by running <c>kill -9 -1</c> as
/// that uid (never by pid, which a fork bomb may have let an unrelated process reuse). The host directory holding the
/// harness and the spec is deleted.</para>
/// <para>The verdict comes from the harness on a stdout the program does not write to, tagged with a per-run nonce,
/// so a program that exits early fails. It shares the harness's process, so a program that sets out to forge a pass
/// could; the sandbox contains programs, it does not make their claims trustworthy.</para>
/// <para>Instances are immutable and thread-safe; concurrent runs are independent.</para>
/// </remarks>
public sealed class PythonSandbox
{
    private const int VerdictCapBytes = 64 << 10;
    private const int KeptOutputChars = 16 << 10;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);
    private static readonly string Harness = ReadHarness();

    private readonly PythonSandboxOptions _options;
    private readonly string _setpriv;
    private readonly string _bwrap;
    private readonly string _python;
    private readonly IReadOnlyList<string> _extraReadOnly;

    private PythonSandbox(PythonSandboxOptions options, string setpriv, string bwrap, string python, IReadOnlyList<string> extraReadOnly)
    {
        _options = options;
        _setpriv = setpriv;
        _bwrap = bwrap;
        _python = python;
        _extraReadOnly = extraReadOnly;
    }

    /// <summary>The interpreter the sandbox runs (its real path on this machine).</summary>
    public string PythonPath => _python;

    /// <summary>The limits in force.</summary>
    public PythonSandboxOptions Options => _options;

    /// <summary>Finds bubblewrap, setpriv and a Python 3 that works inside the sandbox, proving it with a probe run.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="PythonSandboxUnavailableException">Not Linux, a tool is missing, or no interpreter passes the
    /// probe; the message says which and how to install it.</exception>
    public static async Task<PythonSandbox> CreateAsync(PythonSandboxOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PythonSandboxOptions();
        options.Validate();
        if (!OperatingSystem.IsLinux()) throw new PythonSandboxUnavailableException("the code sandbox needs Linux (bubblewrap and namespaces)");
        string setpriv = FindOnPath("setpriv") ?? throw new PythonSandboxUnavailableException("setpriv not found; install util-linux");
        string bwrap = FindOnPath("bwrap") ?? throw new PythonSandboxUnavailableException("bwrap not found; install bubblewrap (apt-get install -y bubblewrap)");

        var rejected = new List<string>();
        foreach (string candidate in PythonCandidates(options))
        {
            var (python, prefix, why) = await DescribePythonAsync(candidate, cancellationToken);
            if (python is null)
            {
                rejected.Add($"{candidate}: {why}");
                continue;
            }
            IReadOnlyList<string> extra = prefix.StartsWith("/usr/", StringComparison.Ordinal) ? [] : [prefix];
            var sandbox = new PythonSandbox(options, setpriv, bwrap, python, extra);
            var probe = await sandbox.RunAsync(new PythonTestRun("import json", "", []), cancellationToken);
            if (probe.Passed) return sandbox;
            rejected.Add($"{python}: probe run {probe.Verdict}: {probe.Error} {probe.Output.Trim()}".TrimEnd());
        }
        throw new PythonSandboxUnavailableException(
            "no Python 3 works in the sandbox (install the python3 package, or set PONDER_PYTHON); tried: " + string.Join("; ", rejected));
    }

    /// <summary>Runs <paramref name="run"/> in a fresh sandbox and reports how it ended.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before the run was over
    /// (even if the wall timeout had already stopped it); the run was killed and cleaned up first.</exception>
    public async Task<PythonTestResult> RunAsync(PythonTestRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(run.Tests);
        // Instances exist only on Linux (CreateAsync checks); the analyzer needs to see the check here too.
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("the code sandbox needs Linux");
        var hostDirectory = Directory.CreateTempSubdirectory("ponder-sandbox-");
        try
        {
            // The run's uid must read the harness and spec to bind them; nothing secret is in them.
            File.SetUnixFileMode(hostDirectory.FullName, (UnixFileMode)0b111_101_101);
            await File.WriteAllTextAsync(Path.Combine(hostDirectory.FullName, "harness.py"), Harness, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(hostDirectory.FullName, "spec.json"), SpecJson(run), cancellationToken);
            return await ExecuteAsync(hostDirectory.FullName, run.Tests.Count, cancellationToken);
        }
        finally
        {
            hostDirectory.Delete(recursive: true);
        }
    }

    private async Task<PythonTestResult> ExecuteAsync(string hostDirectory, int testCount, CancellationToken cancellationToken)
    {
        bool root = Environment.IsPrivilegedProcess;
        int uid = root ? FreshUid() : SandboxProcesses.OwnUid();
        string nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var startInfo = StartInfo(hostDirectory, uid, root);
        var clock = Stopwatch.StartNew();
        using var process = await SandboxProcesses.StartAsync(startInfo);

        string? stopReason = null;
        void Stop(string reason)
        {
            lock (process) stopReason ??= reason;
            Kill(process);
        }

        var output = new CappedCapture(_options.EffectiveMaxOutputBytes, KeptOutputChars, () => Stop("output"));
        var verdict = new CappedCapture(VerdictCapBytes, VerdictCapBytes, () => Stop("output"));
        var pumps = Task.WhenAll(
            output.PumpAsync(process.StandardError.BaseStream),
            verdict.PumpAsync(process.StandardOutput.BaseStream));
        await WaitThenTearDownAsync(
            waitForEnd: async stopping =>
            {
                try
                {
                    // Stdin stays open until the process ends: the harness takes its end of file for Ponder's death.
                    await process.StandardInput.WriteAsync(nonce.AsMemory(), stopping);
                    await process.StandardInput.FlushAsync(stopping);
                    await process.WaitForExitAsync(stopping);
                }
                catch (IOException)
                {
                    // The harness died before reading the nonce; the exit status tells why.
                }
            },
            // The caller's cancellation stops the run this way too, but then RunAsync throws, so "timeout" is read only
            // when the timeout alone stopped the run.
            stop: () => Stop("timeout"),
            tearDown: async () =>
            {
                await process.WaitForExitAsync(CancellationToken.None);
                await Task.WhenAny(pumps, Task.Delay(DrainTimeout, CancellationToken.None));
                if (root) await SandboxProcesses.EnsureGoneAsync(uid, _setpriv);
            },
            _options.EffectiveWallTimeout, cancellationToken);
        clock.Stop();

        var reported = ParseReport(verdict.Text, nonce);
        var resources = new SandboxResourceUse(clock.Elapsed,
            reported is null ? null : TimeSpan.FromSeconds(reported.CpuSeconds),
            reported is null ? null : reported.MaxRssKib * 1024,
            output.TotalBytes);
        var result = new PythonTestResult
        {
            Verdict = PythonTestVerdict.Crashed,
            TestsPassed = reported?.Passed ?? 0,
            TestCount = testCount,
            Output = output.Text,
            Resources = resources,
            SandboxUserId = uid,
        };
        if (stopReason == "output")
            return result with { Verdict = PythonTestVerdict.OutputLimitExceeded, Error = $"output passed {_options.EffectiveMaxOutputBytes} bytes; the run was killed" };
        if (reported is not null) return FromReport(result, reported);
        if (stopReason == "timeout")
            return result with { Verdict = PythonTestVerdict.TimedOut, Error = $"still running after {_options.EffectiveWallTimeout.TotalSeconds:0.###} s; the run was killed" };
        return process.ExitCode == 128 + 24
            ? result with { Verdict = PythonTestVerdict.CpuLimitExceeded, Error = $"a process used {_options.EffectiveCpuSeconds} CPU seconds (SIGXCPU)" }
            : result with { Error = process.ExitCode > 128 ? $"killed by signal {process.ExitCode - 128} without a verdict" : $"exited with code {process.ExitCode} without a verdict" };
    }

    /// <summary>Waits for a run with <paramref name="waitForEnd"/>, calls <paramref name="stop"/> if the wall timeout
    /// passes or <paramref name="cancellationToken"/> fires before it ends, and tears the run down either way.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before the run was torn
    /// down, whether or not the timeout had already stopped it.</exception>
    internal static async Task WaitThenTearDownAsync(Func<CancellationToken, Task> waitForEnd, Action stop, Func<Task> tearDown,
        TimeSpan wallTimeout, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(wallTimeout);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await waitForEnd(stopping.Token);
        }
        catch (OperationCanceledException)
        {
            stop();
        }
        await tearDown();
        // Which of the two stopped the run is asked only now that it is gone, not when the wait ended: under load the
        // thread pool runs due timer callbacks late and in no fixed order, so the timeout's can end the wait before the
        // callback of a caller's timer that was due first has run. A caller who cancels while the run is torn down does
        // not want its verdict either.
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static PythonTestResult FromReport(PythonTestResult result, HarnessReport report) => report.Status switch
    {
        "passed" => result with { Verdict = PythonTestVerdict.Passed },
        _ => result with
        {
            Verdict = report.Status == "memory" ? PythonTestVerdict.MemoryLimitExceeded : PythonTestVerdict.Failed,
            FailedUnit = report.Unit,
            FailedInTest = report.IsTest,
            FailureLocation = report.File is null ? null : $"{report.File}:{report.LineNumber}",
            FailedLine = report.Line,
            Error = report.Error,
        },
    };

    // The harness's verdict line, "<nonce> <json>". Anything else on the channel (the program can reach the descriptor)
    // is ignored, and a tagged line that does not parse counts as no verdict.
    private static HarnessReport? ParseReport(string text, string nonce)
    {
        string tag = nonce + " ";
        string? line = text.Split('\n').FirstOrDefault(l => l.StartsWith(tag, StringComparison.Ordinal));
        if (line is null) return null;
        try { return JsonSerializer.Deserialize<HarnessReport>(line[tag.Length..], ReportJson); }
        catch (JsonException) { return null; }
    }

    private static readonly JsonSerializerOptions ReportJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>What harness.py reports (see its <c>report</c> calls).</summary>
    private sealed record HarnessReport(
        string Status, int Passed, double CpuSeconds, long MaxRssKib,
        string? Unit = null, bool IsTest = false, string? File = null, int? LineNumber = null, string? Line = null, string? Error = null);

    private ProcessStartInfo StartInfo(string hostDirectory, int uid, bool root)
    {
        var info = new ProcessStartInfo(_setpriv)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        info.Environment.Clear();
        if (root)
        {
            foreach (string arg in (string[])[$"--reuid={uid}", $"--regid={uid}", "--clear-groups", "--", _bwrap]) info.ArgumentList.Add(arg);
        }
        else
        {
            info.FileName = _bwrap;
        }
        foreach (string arg in BubblewrapArguments(hostDirectory)) info.ArgumentList.Add(arg);
        return info;
    }

    private IEnumerable<string> BubblewrapArguments(string hostDirectory)
    {
        string[] head =
        [
            "--unshare-all", "--die-with-parent", "--new-session", "--clearenv",
            "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin", "--setenv", "HOME", "/work", "--setenv", "TMPDIR", "/work",
            "--setenv", "LANG", "C.UTF-8", "--setenv", "PYTHONHASHSEED", "0",
            "--ro-bind", "/usr", "/usr",
        ];
        foreach (string arg in head) yield return arg;
        // Merged-/usr systems have /bin, /lib… as links into /usr; older ones have real directories.
        foreach (string top in (string[])["/bin", "/sbin", "/lib", "/lib32", "/lib64"])
        {
            var entry = new FileInfo(top);
            if (entry.LinkTarget is { } target) { yield return "--symlink"; yield return target; yield return top; }
            else if (Directory.Exists(top)) { yield return "--ro-bind"; yield return top; yield return top; }
        }
        foreach (string path in _extraReadOnly) { yield return "--ro-bind"; yield return path; yield return path; }
        string[] tail =
        [
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
            "--perms", "0700", "--size", _options.EffectiveWorkDirectoryBytes.ToString(CultureInfo.InvariantCulture), "--tmpfs", "/work",
            "--ro-bind", hostDirectory, "/harness",
            "--remount-ro", "/dev", "--remount-ro", "/tmp", "--remount-ro", "/",
            "--chdir", "/work",
            "--", _python, "-s", "-B", "/harness/harness.py", "/harness/spec.json",
        ];
        foreach (string arg in tail) yield return arg;
    }

    private string SpecJson(PythonTestRun run) => JsonSerializer.Serialize(new
    {
        program = run.Program ?? "",
        setup = run.Setup ?? "",
        tests = run.Tests.Select(t => new { name = t.Name, source = t.Source }),
        limits = new
        {
            cpu_seconds = _options.EffectiveCpuSeconds,
            memory_bytes = _options.EffectiveMemoryBytes,
            // bubblewrap's init process and the harness's lifeline thread share the uid, so they count against the limit too.
            nproc = _options.EffectiveMaxProcesses + 2,
            file_bytes = _options.EffectiveMaxFileBytes,
        },
    });

    // Only the outer bubblewrap, our own unreaped child, so its pid cannot have been reused: its death kills the
    // namespace's init (--die-with-parent) and with it the whole namespace. Walking the process tree by pid instead
    // could hit pids that a fork bomb freed and an unrelated process took.
    private static void Kill(Process process)
    {
        try { process.Kill(); }
        catch (InvalidOperationException) { /* already exited */ }
    }

    // A uid far above any a distribution allocates, and unused now, so the run shares limits and files with nobody.
    private static int FreshUid()
    {
        while (true)
        {
            int uid = RandomNumberGenerator.GetInt32(1_000_000_000, 2_000_000_000);
            if (!SandboxProcesses.Any(uid)) return uid;
        }
    }

    private static IEnumerable<string> PythonCandidates(PythonSandboxOptions options)
    {
        if (options.PythonPath is { Length: > 0 } configured) { yield return configured; yield break; }
        if (Environment.GetEnvironmentVariable("PONDER_PYTHON") is { Length: > 0 } fromEnvironment) { yield return fromEnvironment; yield break; }
        foreach (string path in (string[])["/usr/bin/python3", "/usr/local/bin/python3"])
            if (File.Exists(path)) yield return path;
        if (FindOnPath("python3") is { } onPath) yield return onPath;
    }

    // Asks the interpreter (outside the sandbox) for its real executable and prefix; a pyenv shim resolves this way.
    private static async Task<(string? Python, string Prefix, string Why)> DescribePythonAsync(string candidate, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(candidate) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])["-c", "import os, sys; print(os.path.realpath(sys.executable)); print(sys.base_prefix); print(sys.version_info >= (3, 8))"])
            info.ArgumentList.Add(arg);
        try
        {
            using var process = Process.Start(info)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            var errors = process.StandardError.ReadToEndAsync(timeout.Token);
            string text = await process.StandardOutput.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            await errors;
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (process.ExitCode != 0 || lines.Length != 3) return (null, "", $"exit code {process.ExitCode}");
            if (lines[2] != "True") return (null, "", "older than Python 3.8");
            return (lines[0], lines[1], "");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (null, "", e.Message);
        }
    }

    private static string? FindOnPath(string name)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/bin", "/bin", "/usr/sbin", "/sbin"]);
        return directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }

    private static string ReadHarness()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Ponder.Tasks.CodeExecution.harness.py")
                           ?? throw new InvalidOperationException("the sandbox harness is missing from the assembly");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    // Reads a stream to its end, counting every byte, keeping the first few as text and calling onOverflow once when the
    // count passes the cap (it keeps reading so that the writer never blocks on a full pipe).
    private sealed class CappedCapture(long capBytes, int keptChars, Action onOverflow)
    {
        private readonly MemoryStream _kept = new();
        private bool _overflowed;

        public long TotalBytes { get; private set; }

        public string Text => Encoding.UTF8.GetString(_kept.GetBuffer(), 0, (int)_kept.Length);

        public async Task PumpAsync(Stream stream)
        {
            var buffer = new byte[16 << 10];
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                int keep = (int)Math.Min(read, keptChars - _kept.Length);
                if (keep > 0) _kept.Write(buffer, 0, keep);
                TotalBytes += read;
                if (TotalBytes > capBytes && !_overflowed)
                {
                    _overflowed = true;
                    onOverflow();
                }
            }
        }
    }
}

/// <summary>The code sandbox cannot run on this machine; the message says what is missing and how to install it.</summary>
public sealed class PythonSandboxUnavailableException(string message) : Exception(message);
