using Ponder.Tasks.CodeExecution;

namespace Ponder.Tasks.Tests.CodeExecution;

/// <summary>How a run's end is told apart when both the wall timeout and the caller's token fire, in either order:
/// no sandbox, no processes, and no timing, since a zero timeout has fired before the wait starts.</summary>
public sealed class PythonSandboxStopTests
{
    private static Task WaitForever(CancellationToken stopping) => Task.Delay(Timeout.Infinite, stopping);

    [Fact]
    public async Task A_caller_who_cancels_while_a_timed_out_run_is_torn_down_gets_the_cancellation()
    {
        // The order a loaded thread pool can give: the timeout ends the wait, the caller's cancellation comes after.
        using var caller = new CancellationTokenSource();
        int stops = 0;
        var ended = PythonSandbox.WaitThenTearDownAsync(WaitForever, () => stops++,
            tearDown: () =>
            {
                caller.Cancel();
                return Task.CompletedTask;
            },
            TimeSpan.Zero, caller.Token);
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ended);
        Assert.Equal(caller.Token, error.CancellationToken);
        Assert.Equal(1, stops);
    }

    [Fact]
    public async Task A_caller_who_cancelled_before_the_timeout_gets_the_cancellation()
    {
        using var caller = new CancellationTokenSource();
        caller.Cancel();
        int stops = 0;
        var ended = PythonSandbox.WaitThenTearDownAsync(WaitForever, () => stops++, () => Task.CompletedTask, TimeSpan.Zero, caller.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ended);
        Assert.Equal(1, stops);
    }

    [Fact]
    public async Task A_timeout_without_a_cancellation_stops_the_run_and_returns()
    {
        int stops = 0, tearDowns = 0;
        await PythonSandbox.WaitThenTearDownAsync(WaitForever, () => stops++,
            tearDown: () =>
            {
                tearDowns++;
                return Task.CompletedTask;
            },
            TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(1, stops);
        Assert.Equal(1, tearDowns);
    }

    [Fact]
    public async Task A_run_that_ends_by_itself_is_not_stopped()
    {
        int stops = 0;
        await PythonSandbox.WaitThenTearDownAsync(_ => Task.CompletedTask, () => stops++, () => Task.CompletedTask, TimeSpan.FromHours(1), CancellationToken.None);
        Assert.Equal(0, stops);
    }
}
