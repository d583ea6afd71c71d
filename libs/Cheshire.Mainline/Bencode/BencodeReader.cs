namespace Cheshire.Mainline.Bencode;

/// <summary>
/// A hostile-input-safe bencode decoder. Strings are slices of the input (no copy); every value keeps its raw bytes.
/// Rejects leading zeros, negative zero, empty integers, integers outside 64 bits, lengths past the end,
/// truncation, trailing data, duplicate keys, non-string keys, too deep nesting and too many values, always with
/// <see cref="BencodeException"/>. Work and allocation are bounded by the input length and the options.
/// </summary>
public ref struct BencodeReader
{
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly ReadOnlySpan<byte> _input;
    private readonly BencodeOptions _options;
    private int _position;
    private int _values;

    private BencodeReader(ReadOnlyMemory<byte> input, BencodeOptions options)
    {
        _memory = input;
        _input = input.Span;
        _options = options;
    }

    /// <summary>Decodes exactly one value spanning the whole input.</summary>
    public static BValue Decode(ReadOnlyMemory<byte> input, BencodeOptions? options = null)
    {
        options ??= BencodeOptions.Default;
        if (input.Length > options.MaxInputLength)
            throw new BencodeException($"input of {input.Length} bytes exceeds the limit of {options.MaxInputLength}", 0);
        var reader = new BencodeReader(input, options);
        var value = reader.ReadValue(0);
        if (reader._position != input.Length)
            throw new BencodeException("trailing data after the value", reader._position);
        return value;
    }

    /// <summary>Decodes a value that must be a dictionary.</summary>
    public static BDictionary DecodeDictionary(ReadOnlyMemory<byte> input, BencodeOptions? options = null) =>
        Decode(input, options) as BDictionary ?? throw new BencodeException("the top-level value is not a dictionary", 0);

    private BValue ReadValue(int depth)
    {
        if (++_values > _options.MaxValues)
            throw new BencodeException($"more than {_options.MaxValues} values", _position);
        var start = _position;
        BValue value = Peek() switch
        {
            (byte)'i' => ReadInteger(),
            (byte)'l' => ReadList(depth + 1),
            (byte)'d' => ReadDictionary(depth + 1),
            >= (byte)'0' and <= (byte)'9' => ReadString(),
            var b => throw new BencodeException($"unexpected byte 0x{b:x2}", _position),
        };
        value.Raw = _memory[start.._position];
        return value;
    }

    private byte Peek() =>
        _position < _input.Length ? _input[_position] : throw new BencodeException("unexpected end of input", _position);

    private BInteger ReadInteger()
    {
        _position++; // 'i'
        var start = _position;
        var negative = false;
        if (Peek() == (byte)'-')
        {
            negative = true;
            _position++;
        }
        var digitsStart = _position;
        ulong magnitude = 0;
        while (Peek() is >= (byte)'0' and <= (byte)'9')
        {
            var digit = (ulong)(_input[_position] - '0');
            if (magnitude > (ulong.MaxValue - digit) / 10)
                throw new BencodeException("integer too large", start);
            magnitude = magnitude * 10 + digit;
            _position++;
        }
        var digits = _position - digitsStart;
        if (digits == 0)
            throw new BencodeException("integer without digits", start);
        if (_input[_position] != (byte)'e')
            throw new BencodeException("integer not terminated by 'e'", _position);
        if (digits > 1 && _input[digitsStart] == (byte)'0')
            throw new BencodeException("integer with a leading zero", start);
        if (negative && magnitude == 0)
            throw new BencodeException("negative zero", start);
        _position++; // 'e'
        if (negative)
        {
            if (magnitude > (ulong)long.MaxValue + 1)
                throw new BencodeException("integer too small", start);
            return new BInteger(magnitude == (ulong)long.MaxValue + 1 ? long.MinValue : -(long)magnitude);
        }
        if (magnitude > long.MaxValue)
            throw new BencodeException("integer too large", start);
        return new BInteger((long)magnitude);
    }

    private BString ReadString()
    {
        var start = _position;
        var length = 0;
        while (Peek() is >= (byte)'0' and <= (byte)'9')
        {
            if (_position - start >= 9)
                throw new BencodeException("string length too large", start);
            length = length * 10 + (_input[_position] - '0');
            _position++;
        }
        if (_input[_position] != (byte)':')
            throw new BencodeException("string length not followed by ':'", _position);
        if (_position - start > 1 && _input[start] == (byte)'0')
            throw new BencodeException("string length with a leading zero", start);
        _position++; // ':'
        if (length > _input.Length - _position)
            throw new BencodeException($"string of {length} bytes runs past the end of input", start);
        var value = new BString(_memory.Slice(_position, length));
        _position += length;
        return value;
    }

    private BList ReadList(int depth)
    {
        CheckDepth(depth);
        _position++; // 'l'
        var list = new BList();
        while (Peek() != (byte)'e')
            list.Add(ReadValue(depth));
        _position++;
        return list;
    }

    private BDictionary ReadDictionary(int depth)
    {
        CheckDepth(depth);
        _position++; // 'd'
        var dictionary = new BDictionary();
        while (Peek() != (byte)'e')
        {
            var keyStart = _position;
            if (Peek() is < (byte)'0' or > (byte)'9')
                throw new BencodeException("dictionary key is not a string", keyStart);
            if (++_values > _options.MaxValues)
                throw new BencodeException($"more than {_options.MaxValues} values", _position);
            var key = ReadString().Value;
            var value = ReadValue(depth);
            var order = dictionary.Count == 0 ? 1 : key.Span.SequenceCompareTo(dictionary.LastKey);
            if (order > 0)
                dictionary.AppendSorted(key, value);
            else if (order == 0 || _options.RequireSortedKeys || !dictionary.TryAdd(key, value))
                throw new BencodeException(order == 0 ? "duplicate dictionary key" : "dictionary keys out of order", keyStart);
        }
        _position++;
        return dictionary;
    }

    private readonly void CheckDepth(int depth)
    {
        if (depth > _options.MaxDepth)
            throw new BencodeException($"nesting deeper than {_options.MaxDepth}", _position);
    }
}
