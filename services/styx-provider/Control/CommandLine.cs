using System.Globalization;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxProvider.Control;

/// <summary>
/// One ctl command: words separated by blanks, then options <c>name=value</c> among those the command knows, then
/// positional words, and for some commands the rest of the line as one value (leading blanks removed).
/// <c>--</c> ends the options (for a key that looks like an option).
/// </summary>
public sealed class CommandLine
{
    private readonly string _module;
    private readonly string _text;
    private int _position;

    public CommandLine(string module, string text)
    {
        _module = module;
        _text = text;
        Verb = NextWord() ?? "";
    }

    public string Verb { get; }

    /// <summary>Reads <c>name=value</c> words while their name is one of <paramref name="known"/>.</summary>
    public Dictionary<string, string> Options(params string[] known)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            var start = _position;
            var word = NextWord();
            if (word == "--") return options;
            var equals = word?.IndexOf('=', StringComparison.Ordinal) ?? -1;
            if (word is null || equals <= 0 || !known.Contains(word[..equals]))
            {
                _position = start;
                return options;
            }
            options[word[..equals]] = word[(equals + 1)..];
        }
    }

    public string Word(string usage) => NextWord() ?? throw Usage(usage);

    public string Rest(string usage)
    {
        SkipBlanks();
        var rest = _text[_position..];
        _position = _text.Length;
        return rest.Length > 0 ? rest : throw Usage(usage);
    }

    /// <summary>Every remaining word (at least one).</summary>
    public IReadOnlyList<string> Words(string usage)
    {
        var words = new List<string>();
        while (NextWord() is { } word) words.Add(word);
        return words.Count > 0 ? words : throw Usage(usage);
    }

    public void End(string usage)
    {
        if (NextWord() is { } extra) throw Error($"unexpected '{extra}'; usage: {usage}");
    }

    public StyxErrorException Usage(string usage) => Error($"usage: {usage}");

    public StyxErrorException Error(string message) => new(Errno.EINVAL, $"{_module}: {Verb}: {message}");

    public long Number(Dictionary<string, string> options, string name, long min, long max)
    {
        var text = options[name];
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw Error($"{name}={text}: not a number in {min}..{max}");
        return value;
    }

    /// <summary>A duration: 90s, 10m, 2h, 1d, or hh:mm:ss.</summary>
    public TimeSpan Duration(Dictionary<string, string> options, string name)
    {
        var text = options[name];
        if (text.Length > 1 && long.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            switch (text[^1])
            {
                case 's': return TimeSpan.FromSeconds(count);
                case 'm': return TimeSpan.FromMinutes(count);
                case 'h': return TimeSpan.FromHours(count);
                case 'd': return TimeSpan.FromDays(count);
            }
        }
        if (TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero) return span;
        throw Error($"{name}={text}: not a duration such as 90s, 10m, 2h, 1d or 01:30:00");
    }

    private string? NextWord()
    {
        SkipBlanks();
        if (_position >= _text.Length) return null;
        var start = _position;
        while (_position < _text.Length && !IsBlank(_text[_position])) _position++;
        return _text[start.._position];
    }

    private void SkipBlanks()
    {
        while (_position < _text.Length && IsBlank(_text[_position])) _position++;
    }

    private static bool IsBlank(char c) => c is ' ' or '\t';
}
