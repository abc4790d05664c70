using System.Diagnostics;
using System.Runtime.Versioning;
using Ponder.Tasks.CodeExecution;

namespace Ponder.Tasks.Tests.CodeExecution;

/// <summary>One sandbox for the class, with small limits so that hostile programs are stopped within a second or two.</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public static readonly PythonSandboxOptions Limits = new()
    {
        WallTimeout = TimeSpan.FromSeconds(2),
        CpuSeconds = 1,
        MemoryBytes = 256L << 20,
        MaxProcesses = 8,
        MaxFileBytes = 1L << 20,
        WorkDirectoryBytes = 4L << 20,
        MaxOutputBytes = 64L << 10,
    };

    public PythonSandbox Sandbox { get; private set; } = null!;

    public async Task InitializeAsync() => Sandbox = await PythonSandbox.CreateAsync(Limits);

    public Task DisposeAsync() => Task.CompletedTask;
}

[SupportedOSPlatform("linux")]
public sealed class PythonSandboxTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private const string AddPrompt = "def add(a, b):\n    \"\"\"Return the sum of a and b.\"\"\"\n";
    private const string AddCheck = "def check(candidate):\n    assert candidate(1, 1) == 2\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n";
    private static readonly PythonTest[] CheckAdd = [new("check(add)", "check(add)")];

    private Task<PythonTestResult> Run(string program, params string[] asserts) =>
        fixture.Sandbox.RunAsync(new PythonTestRun(program, "", asserts.Select((a, i) => new PythonTest($"test {i + 1}", a)).ToArray()));

    // On failure, say how the run ended, not only that the verdict differs.
    private static void AssertVerdict(PythonTestVerdict expected, PythonTestResult result) =>
        Assert.True(result.Verdict == expected, $"expected {expected}, got {result.Verdict}: {result.Error} after {result.Resources.WallTime}; output: {result.Output}");

    private static void AssertNothingLeft(PythonTestResult result) => Assert.Empty(SandboxProcesses.Find(result.SandboxUserId));

    [Fact]
    public async Task A_correct_HumanEval_style_solution_passes()
    {
        var result = await fixture.Sandbox.RunAsync(new PythonTestRun(AddPrompt + "    return a + b\n", AddCheck, CheckAdd));
        AssertVerdict(PythonTestVerdict.Passed, result);
        Assert.Equal(1, result.TestsPassed);
        Assert.Null(result.Error);
        Assert.NotNull(result.Resources.CpuTime);
        Assert.True(result.Resources.PeakMemoryBytes > 0);
        AssertNothingLeft(result);
    }

    [Fact]
    public async Task A_wrong_solution_fails_with_the_failing_assertion()
    {
        // Right for candidate(1, 1) only, so the second assert of check (line 3 of the setup) is the one that fails.
        var result = await fixture.Sandbox.RunAsync(new PythonTestRun(AddPrompt + "    return a * b + 1\n", AddCheck, CheckAdd));
        AssertVerdict(PythonTestVerdict.Failed, result);
        Assert.Equal("check(add)", result.FailedUnit);
        Assert.True(result.FailedInTest);
        Assert.Equal("assert candidate(2, 3) == 5", result.FailedLine);
        Assert.Equal("<setup>:3", result.FailureLocation);
        Assert.StartsWith("AssertionError", result.Error);
        Assert.Equal(0, result.TestsPassed);
    }

    [Fact]
    public async Task Mbpp_style_asserts_report_the_first_failing_one()
    {
        var result = await Run("def square(x):\n    return x * x if x < 3 else x + x\n", "assert square(2) == 4", "assert square(3) == 9", "assert square(4) == 16");
        AssertVerdict(PythonTestVerdict.Failed, result);
        Assert.Equal("test 2", result.FailedUnit);
        Assert.Equal("assert square(3) == 9", result.FailedLine);
        Assert.Equal(1, result.TestsPassed);
        Assert.Equal(3, result.TestCount);
    }

    [Fact]
    public async Task An_error_in_the_program_itself_is_reported_as_the_program()
    {
        var result = await Run("def f(:\n    pass\n", "assert f() is None");
        AssertVerdict(PythonTestVerdict.Failed, result);
        Assert.Equal("program", result.FailedUnit);
        Assert.False(result.FailedInTest);
        Assert.StartsWith("SyntaxError", result.Error);
    }

    [Fact]
    public async Task Exiting_early_does_not_pass()
    {
        var exits = await Run("import sys\nsys.exit(0)\n", "assert False");
        AssertVerdict(PythonTestVerdict.Failed, exits);
        Assert.StartsWith("SystemExit", exits.Error);

        var hardExit = await Run("import os\nos._exit(0)\n", "assert False");
        AssertVerdict(PythonTestVerdict.Crashed, hardExit);
        Assert.Contains("without a verdict", hardExit.Error);
    }

    [Fact]
    public async Task The_program_holds_no_descriptors_but_the_standard_ones_and_the_harness_channels()
    {
        // 0: /dev/null; 1 and 2: the output pipe; 3 and 4: the harness's verdict and lifeline pipes; 5: /dev/null.
        var result = await Run("import os\nfds = sorted(int(f) for f in os.listdir('/proc/self/fd'))\n", "assert fds[:6] == [0, 1, 2, 3, 4, 5] and max(fds) <= 6, fds");
        AssertVerdict(PythonTestVerdict.Passed, result);
    }

    [Fact]
    public async Task Writing_junk_to_the_verdict_channel_changes_nothing()
    {
        var result = await Run("import os\nos.write(3, b'junk\\n{\\n')\n", "assert False, 'the tests still run'");
        AssertVerdict(PythonTestVerdict.Failed, result);
        Assert.Equal("AssertionError: the tests still run", result.Error);
    }

    [Fact]
    public async Task Program_output_is_captured()
    {
        var result = await Run("print('hello from the sandbox')\nimport sys\nprint('to stderr', file=sys.stderr)\n");
        Assert.True(result.Passed);
        Assert.Contains("hello from the sandbox", result.Output);
        Assert.Contains("to stderr", result.Output);
    }

    [Fact]
    public async Task An_infinite_loop_is_stopped_by_the_CPU_limit()
    {
        // A wall timeout well above the CPU limit, so that CPU time runs out first even on a busy machine.
        var sandbox = await PythonSandbox.CreateAsync(SandboxFixture.Limits with { WallTimeout = TimeSpan.FromSeconds(8) });
        var result = await sandbox.RunAsync(new PythonTestRun("while True:\n    pass\n", "", []));
        AssertVerdict(PythonTestVerdict.CpuLimitExceeded, result);
        AssertNothingLeft(result);
    }

    [Fact]
    public async Task A_process_outlives_the_thread_that_asked_for_it()
    {
        // setpriv --pdeathsig sets the parent-death signal bubblewrap's --die-with-parent sets. Linux sends it when the
        // thread that started the process exits: started by the asking thread, the process dies with it; started by the
        // launcher, it runs to the end.
        var info = new ProcessStartInfo("setpriv") { UseShellExecute = false };
        foreach (string arg in (string[])["--pdeathsig", "KILL", "--", "sleep", "1"]) info.ArgumentList.Add(arg);
        Process? direct = null, launched = null;
        var asker = new Thread(() =>
        {
            direct = Process.Start(info)!;
            launched = SandboxProcesses.StartAsync(info).GetAwaiter().GetResult();
            // Exit only once both have set their signal and become sleep, or the signal would have no thread to outlive.
            foreach (var process in new[] { direct, launched })
                for (var waited = Stopwatch.StartNew(); ReadComm(process.Id) != "sleep" && waited.Elapsed < TimeSpan.FromSeconds(30);)
                    Thread.Sleep(10);
        });
        asker.Start();
        asker.Join();
        using (direct)
        using (launched)
        {
            await direct!.WaitForExitAsync();
            await launched!.WaitForExitAsync();
            Assert.Equal(128 + 9, direct.ExitCode);
            Assert.Equal(0, launched.ExitCode);
        }

        static string? ReadComm(int pid)
        {
            try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); }
            catch (IOException) { return null; }
        }
    }

    [Fact]
    public async Task Sleeping_past_the_timeout_is_killed()
    {
        var result = await Run("import time\ntime.sleep(60)\n");
        AssertVerdict(PythonTestVerdict.TimedOut, result);
        Assert.InRange(result.Resources.WallTime, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(10));
        AssertNothingLeft(result);
    }

    [Fact]
    public async Task A_fork_bomb_hits_the_process_limit_and_leaves_nothing_behind()
    {
        // Forks until refused; the children sleep far past the run. With 8 processes allowed, the harness has 7 children.
        const string program = """
            import os, time
            children = 0
            try:
                while True:
                    if os.fork() == 0:
                        time.sleep(60)
                        os._exit(0)
                    children += 1
            except OSError as error:
                refused = error
            """;
        var result = await Run(program, "assert children == 7, children", "assert isinstance(refused, BlockingIOError)");
        AssertVerdict(PythonTestVerdict.Passed, result);
        AssertNothingLeft(result);
    }

    [Fact]
    public async Task An_endless_fork_bomb_is_killed_at_the_timeout_and_leaves_nothing_behind()
    {
        var result = await Run("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n");
        AssertVerdict(PythonTestVerdict.TimedOut, result);
        AssertNothingLeft(result);
    }

    [Fact]
    public async Task A_memory_hog_hits_the_memory_limit()
    {
        var result = await Run("hog = []\nwhile True:\n    hog.append(bytearray(16 << 20))\n");
        AssertVerdict(PythonTestVerdict.MemoryLimitExceeded, result);
        Assert.StartsWith("MemoryError", result.Error);
        Assert.Equal("program", result.FailedUnit);
        AssertNothingLeft(result);
    }

    [Fact]
    public async Task Huge_output_is_cut_off_and_the_run_killed()
    {
        var result = await Run("while True:\n    print('x' * 1000)\n");
        AssertVerdict(PythonTestVerdict.OutputLimitExceeded, result);
        Assert.True(result.Resources.OutputBytes > SandboxFixture.Limits.MaxOutputBytes);
        Assert.True(result.Output.Length <= 16 << 10);
        AssertNothingLeft(result);
    }

    [Fact]
    public async Task A_big_file_hits_the_file_size_limit()
    {
        var result = await Run("with open('big', 'wb') as f:\n    f.write(b'x' * (2 << 20))\n");
        AssertVerdict(PythonTestVerdict.Failed, result);
        Assert.Contains("File too large", result.Error);
    }

    [Fact]
    public async Task The_network_is_unreachable()
    {
        var connect = await Run("import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=1)\n");
        AssertVerdict(PythonTestVerdict.Failed, connect);
        Assert.Contains("Network is unreachable", connect.Error);

        var resolve = await Run("import socket\nsocket.getaddrinfo('example.com', 80)\n");
        AssertVerdict(PythonTestVerdict.Failed, resolve);
        Assert.Contains("gaierror", resolve.Error);

        // The run's own loopback works (bubblewrap brings it up) and is private to its network namespace.
        var loopback = await Run("import socket\nserver = socket.socket()\nserver.bind(('127.0.0.1', 0))\nserver.listen()\nsocket.create_connection(server.getsockname(), timeout=1)\n");
        AssertVerdict(PythonTestVerdict.Passed, loopback);
        AssertNothingLeft(loopback);
    }

    [Fact]
    public async Task Writes_outside_the_work_directory_fail_and_inside_it_succeed()
    {
        var host = Directory.CreateTempSubdirectory("ponder-sandbox-test-");
        try
        {
            File.SetUnixFileMode(host.FullName, (UnixFileMode)0b111_111_111);
            string hostFile = Path.Combine(host.FullName, "escaped");
            string program = $$"""
                import os
                blocked = []
                for path in ['/usr/escaped', '/escaped', '/tmp/escaped', '/dev/shm/escaped', '/harness/escaped', '{{hostFile}}']:
                    try:
                        with open(path, 'w') as f:
                            f.write('x')
                    except OSError as error:
                        blocked.append(path)
                with open('inside', 'w') as f:
                    f.write('ok')
                """;
            var result = await Run(program, "assert len(blocked) == 6, blocked", "assert open('/work/inside').read() == 'ok'", "assert os.getcwd() == '/work'");
            AssertVerdict(PythonTestVerdict.Passed, result);
            Assert.False(File.Exists(hostFile));
        }
        finally
        {
            host.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_run_cannot_read_another_runs_files_or_the_hosts()
    {
        var host = Directory.CreateTempSubdirectory("ponder-sandbox-test-");
        try
        {
            string secret = Path.Combine(host.FullName, "secret.txt");
            await File.WriteAllTextAsync(secret, "the host's secret");
            File.SetUnixFileMode(host.FullName, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(secret, (UnixFileMode)0b110_100_100);

            // The first run leaves a file in its work directory and stays alive while the second one looks for it.
            var writer = Run("open('/work/other-run.txt', 'w').write('mine')\nimport time\ntime.sleep(1.5)\n");
            await Task.Delay(300);
            string program = $$"""
                import glob, os
                found = glob.glob('/work/*') + glob.glob('/tmp/*') + glob.glob('/proc/*/root/work/*') + glob.glob('/proc/*/cwd/*')
                readable = []
                for path in ['{{secret}}', '/root/.bash_history', '/etc/passwd']:
                    try:
                        open(path).read()
                        readable.append(path)
                    except OSError:
                        pass
                pids = [p for p in os.listdir('/proc') if p.isdigit()]
                """;
            var reader = await Run(program, "assert found == [], found", "assert readable == [], readable", "assert len(pids) <= 3, pids");
            var written = await writer;
            AssertVerdict(PythonTestVerdict.Passed, reader);
            // The writer only had to be alive meanwhile; on a loaded machine its 1.5 s sleep may reach the 2 s timeout.
            Assert.Contains(written.Verdict, new[] { PythonTestVerdict.Passed, PythonTestVerdict.TimedOut });
            AssertNothingLeft(written);
        }
        finally
        {
            host.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Each_run_gets_a_fresh_work_directory_and_its_own_uid()
    {
        var first = await Run("open('/work/left.txt', 'w').write('x')\n");
        var second = await Run("import os\n", "assert os.listdir('/work') == []");
        Assert.True(first.Passed);
        Assert.True(second.Passed);
        Assert.NotEqual(first.SandboxUserId, second.SandboxUserId);
    }

    [Fact]
    public async Task Cancelling_kills_the_run_and_removes_its_files()
    {
        // A marker in the program finds this run's host directory among those of runs in other test classes.
        string marker = Guid.NewGuid().ToString("N");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        PythonTestResult? result = null;
        var error = await Record.ExceptionAsync(async () =>
            result = await fixture.Sandbox.RunAsync(new PythonTestRun($"# {marker}\nimport time\ntime.sleep(60)\n", "", []), cancel.Token));
        Assert.True(error is OperationCanceledException, error?.ToString() ?? $"not cancelled: {result!.Verdict}: {result.Error} after {result.Resources.WallTime}");
        Assert.DoesNotContain(Directory.GetDirectories(Path.GetTempPath(), "ponder-sandbox-*"),
            d => File.Exists(Path.Combine(d, "spec.json")) && File.ReadAllText(Path.Combine(d, "spec.json")).Contains(marker));
    }
}
