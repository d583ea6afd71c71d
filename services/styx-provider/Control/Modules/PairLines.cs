using System.Globalization;
using System.Text;
using Google.Protobuf.WellKnownTypes;

namespace Cheshire.StyxProvider.Control.Modules;

/// <summary>
/// Builds "name value" lines: a value is the rest of its line (escaped, "-" when empty); names lists are separated
/// by one space; times UTC yyyy-MM-ddTHH:mm:ssZ; durations in seconds with one decimal and "s".
/// </summary>
internal sealed class PairLines
{
    private readonly StringBuilder _text = new();

    public PairLines Add(string name, string value)
    {
        _text.Append(name).Append(' ').Append(value.Length == 0 ? "-" : ControlText.Escape(Encoding.UTF8.GetBytes(value))).Append('\n');
        return this;
    }

    /// <summary>A line whose value is already in the files' escaped form.</summary>
    public PairLines Raw(string name, string value)
    {
        _text.Append(name).Append(' ').Append(value).Append('\n');
        return this;
    }

    public PairLines Names(string name, IEnumerable<string> names) =>
        Raw(name, string.Join(' ', names.Select(ControlText.Field)) is { Length: > 0 } joined ? joined : "-");

    public PairLines Number(string name, long value) => Raw(name, value.ToString(CultureInfo.InvariantCulture));

    public PairLines Time(string name, Timestamp? time) =>
        Raw(name, time is null ? "-" : time.ToDateTimeOffset().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));

    public PairLines Seconds(string name, Duration? duration) =>
        Raw(name, duration is null ? "-" : duration.ToTimeSpan().TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s");

    public PairLines YesNo(string name, bool value) => Raw(name, value ? "yes" : "no");

    public override string ToString() => _text.ToString();
}
