namespace Ponder.Tasks.CodeExecution;

/// <summary>Limits for <see cref="PythonSandbox"/>. Null properties take the defaults shown; <see cref="Validate"/>
/// checks the rest. Records are cloned with <c>with</c>, never changed in place.</summary>
public sealed record PythonSandboxOptions
{
    /// <summary>Wall-clock limit for the whole run; default 10 s.</summary>
    public TimeSpan? WallTimeout { get; init; }

    /// <summary>CPU seconds per process (<c>RLIMIT_CPU</c>); default 5.</summary>
    public int? CpuSeconds { get; init; }

    /// <summary>Address-space limit per process (<c>RLIMIT_AS</c>); default 512 MiB.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>Most processes and threads alive at once, the harness included (<c>RLIMIT_NPROC</c>, counted in the
    /// run's own user namespace); default 16.</summary>
    public int? MaxProcesses { get; init; }

    /// <summary>Largest file the program may write (<c>RLIMIT_FSIZE</c>); default 16 MiB.</summary>
    public long? MaxFileBytes { get; init; }

    /// <summary>Size of the run's writable directory (a tmpfs); default 64 MiB.</summary>
    public long? WorkDirectoryBytes { get; init; }

    /// <summary>Most bytes of stdout plus stderr before the run is killed; default 1 MiB.</summary>
    public long? MaxOutputBytes { get; init; }

    /// <summary>The Python 3 interpreter; default: <c>$PONDER_PYTHON</c>, else the first of <c>/usr/bin/python3</c>,
    /// <c>/usr/local/bin/python3</c> and <c>python3</c> on the PATH that works inside the sandbox.</summary>
    public string? PythonPath { get; init; }

    internal TimeSpan EffectiveWallTimeout => WallTimeout ?? TimeSpan.FromSeconds(10);
    internal int EffectiveCpuSeconds => CpuSeconds ?? 5;
    internal long EffectiveMemoryBytes => MemoryBytes ?? 512L << 20;
    internal int EffectiveMaxProcesses => MaxProcesses ?? 16;
    internal long EffectiveMaxFileBytes => MaxFileBytes ?? 16L << 20;
    internal long EffectiveWorkDirectoryBytes => WorkDirectoryBytes ?? 64L << 20;
    internal long EffectiveMaxOutputBytes => MaxOutputBytes ?? 1L << 20;

    /// <summary>Checks every set limit.</summary>
    /// <exception cref="ArgumentException">A limit is out of range; the message names it and its value.</exception>
    public void Validate()
    {
        if (WallTimeout is { } wall && wall <= TimeSpan.Zero) throw new ArgumentException($"wall timeout must be positive: {wall}");
        if (CpuSeconds is < 1) throw new ArgumentException($"CPU seconds must be at least 1: {CpuSeconds}");
        // Below ~64 MiB the interpreter cannot start its standard library.
        if (MemoryBytes is < 64L << 20) throw new ArgumentException($"memory limit must be at least 64 MiB: {MemoryBytes} bytes");
        if (MaxProcesses is < 1) throw new ArgumentException($"max processes must be at least 1: {MaxProcesses}");
        if (MaxFileBytes is < 0) throw new ArgumentException($"max file bytes must not be negative: {MaxFileBytes}");
        if (WorkDirectoryBytes is < 1L << 20) throw new ArgumentException($"work directory must be at least 1 MiB: {WorkDirectoryBytes} bytes");
        if (MaxOutputBytes is < 1024) throw new ArgumentException($"max output must be at least 1 KiB: {MaxOutputBytes} bytes");
    }
}
