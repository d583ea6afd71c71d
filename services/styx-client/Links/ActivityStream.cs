using Cheshire.StyxClient.Streams;

namespace Cheshire.StyxClient.Links;

/// <summary>A stream that notes when bytes last went either way, for closing idle links. Owns the inner stream.</summary>
public sealed class ActivityStream(Stream inner, TimeProvider clock) : ObservedStream(inner)
{
    private long _lastActivity = clock.GetTimestamp();

    /// <summary>How long since bytes were last read or written.</summary>
    public TimeSpan Idle => clock.GetElapsedTime(Interlocked.Read(ref _lastActivity));

    protected override void OnRead(int count)
    {
        if (count > 0) Interlocked.Exchange(ref _lastActivity, clock.GetTimestamp());
    }

    protected override void OnWritten(int count) => Interlocked.Exchange(ref _lastActivity, clock.GetTimestamp());
}
