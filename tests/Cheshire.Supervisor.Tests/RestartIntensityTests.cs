using Cheshire.Supervisor;
using Cheshire.Supervisor.Policy;
using Microsoft.Extensions.Time.Testing;

namespace Cheshire.Supervisor.Tests;

public sealed class RestartIntensityTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-30T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private RestartIntensity Policy(int maxRestarts = 5, int windowSeconds = 60, int backoffMs = 500, int maxBackoffSeconds = 30) =>
        new(new SupervisorSettings
        {
            MaxRestarts = maxRestarts,
            Window = TimeSpan.FromSeconds(windowSeconds),
            Backoff = TimeSpan.FromMilliseconds(backoffMs),
            MaxBackoff = TimeSpan.FromSeconds(maxBackoffSeconds),
        }, _time);

    [Fact]
    public void EachRestartInTheWindowDoublesTheBackoff()
    {
        var policy = Policy();

        var delays = Enumerable.Range(0, 4).Select(_ =>
        {
            var decision = policy.OnCrash("exited with code 137");
            Assert.True(decision.Restart, decision.Reason);
            _time.Advance(TimeSpan.FromSeconds(1));
            return decision.Delay;
        }).ToList();

        Assert.Equal([500, 1000, 2000, 4000], delays.Select(d => d.TotalMilliseconds));
        Assert.Equal(4, policy.Recent);
    }

    [Fact]
    public void TheBackoffStopsGrowingAtItsMaximum()
    {
        var policy = Policy(maxRestarts: 10, backoffMs: 1000, maxBackoffSeconds: 3);

        var delays = Enumerable.Range(0, 4).Select(_ => policy.OnCrash("exited with code 1").Delay).ToList();

        Assert.Equal([1, 2, 3, 3], delays.Select(d => d.TotalSeconds));
    }

    [Fact]
    public void ACrashPastTheIntensityGivesUpAndSaysWhy()
    {
        var policy = Policy(maxRestarts: 2, windowSeconds: 60);
        Assert.True(policy.OnCrash("exited with code 134").Restart);
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(policy.OnCrash("exited with code 134").Restart);
        _time.Advance(TimeSpan.FromSeconds(20));

        var decision = policy.OnCrash("exited with code 134");

        Assert.False(decision.Restart);
        Assert.Equal("exited with code 134; restarted 2 times within 60 s (limit 2), not restarted again", decision.Reason);
    }

    [Fact]
    public void RestartsOlderThanTheWindowNoLongerCount()
    {
        var policy = Policy(maxRestarts: 2, windowSeconds: 60);
        policy.OnCrash("exited with code 1");
        policy.OnCrash("exited with code 1");

        _time.Advance(TimeSpan.FromSeconds(60));
        var decision = policy.OnCrash("exited with code 1");

        Assert.True(decision.Restart, decision.Reason);
        Assert.Equal(TimeSpan.FromMilliseconds(500), decision.Delay);
        Assert.Equal(1, policy.Recent);
    }

    [Fact]
    public void AStartByAUserGivesAFreshBudget()
    {
        var policy = Policy(maxRestarts: 1);
        policy.OnCrash("exited with code 1");
        Assert.False(policy.OnCrash("exited with code 1").Restart);

        policy.Reset();

        var decision = policy.OnCrash("exited with code 1");
        Assert.True(decision.Restart, decision.Reason);
        Assert.Equal(TimeSpan.FromMilliseconds(500), decision.Delay);
    }

    [Fact]
    public void NoRestartsAllowedMeansTheFirstCrashFails()
    {
        var decision = Policy(maxRestarts: 0).OnCrash("exited with code 1");

        Assert.False(decision.Restart);
        Assert.StartsWith("exited with code 1; restarted 0 times", decision.Reason, StringComparison.Ordinal);
    }
}
